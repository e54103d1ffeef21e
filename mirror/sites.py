"""Which sites the mirror serves: one folder per real host under the sites directory.

Each folder (``tests/sites/<real hostname>/``) holds a ``site.toml`` whose ``cms`` says
which renderer serves it (WordPress with The Events Calendar, Drupal, or the generic
"unknown CMS" site) and whose ``hosts`` lists every hostname it answers for. Adding a
source to the mirror is adding a folder (``partnews new-source`` makes one); no code.
Every renderer is built the same way: ``renderer(config, folder, hosts)``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from mirror.content import read_settings
from mirror.recorded import with_recordings
from mirror.site import MirrorConfig, MirrorSite

RENDERERS = {
    "wordpress": "mirror.wordpress:WordPressSite",
    "drupal": "mirror.drupal:DrupalSite",
    "generic": "mirror.generic:GenericSite",
    "recorded": "mirror.recorded:RecordedSite",  # real answers only (partnews probe --save)
}


def renderer(cms: str) -> type:
    """The site class for a CMS name of site.toml."""
    if cms not in RENDERERS:
        raise ValueError(f"unknown cms {cms!r} in site.toml; choose from {', '.join(RENDERERS)}")
    module_name, _, class_name = RENDERERS[cms].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def site_folders(sites_dir: Path) -> list[Path]:
    return sorted(p.parent for p in Path(sites_dir).glob("*/site.toml"))


def load_site(config: MirrorConfig, folder: Path) -> MirrorSite:
    settings = read_settings(folder)
    site_class = renderer(settings.get("cms", ""))
    site = site_class(config, folder, tuple(settings["hosts"]))
    if config.redesign:  # the invented pages only: recorded ones are real already
        from mirror.redesign import Redesigned

        site = Redesigned(site)
    # a recorded/ directory beside invented content is served first (mirror/recorded.py)
    return with_recordings(site, config, folder)


def load_sites(config: MirrorConfig) -> list[MirrorSite]:
    """Every site of the sites directory, in folder-name order."""
    return [load_site(config, folder) for folder in site_folders(config.sites_dir)]


def bound_site(folder_name: str, sites_dir: Path) -> type:
    """A site class bound to one folder name: ``Bound(config)`` serves
    ``config.sites_dir / folder_name`` with the hosts of ``sites_dir``'s copy.

    For tests that build one site over a copied or synthetic sites directory; the
    mirror itself only uses `load_site`.
    """
    settings = read_settings(Path(sites_dir) / folder_name)
    base = renderer(settings.get("cms", ""))
    hosts = tuple(settings["hosts"])

    def __init__(self, config: MirrorConfig) -> None:
        base.__init__(self, config, Path(config.sites_dir) / folder_name, hosts)

    name = "".join(part.capitalize() for part in folder_name.replace("-", ".").split(".")) + "Site"
    namespace = {"hosts": hosts, "__init__": __init__, "__doc__": f"The site of {folder_name}."}
    return type(name, (base,), namespace)
