"""Which sites the mirror serves: one folder per real host under the sites directory.

Each folder (``tests/sites/<real hostname>/``) holds a ``site.toml`` whose ``cms`` says
which renderer serves it (WordPress with The Events Calendar, Drupal, or the generic
"unknown CMS" site) and whose ``hosts`` lists every hostname it answers for. Adding a
source to the mirror is adding a folder (``partnews new-source`` makes one); no code.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

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
    with open(folder / "site.toml", "rb") as f:
        settings = tomllib.load(f)
    site_class = renderer(settings.get("cms", ""))
    site = site_class(config, folder, tuple(settings["hosts"]))
    # a recorded/ directory beside invented content is served first (mirror/recorded.py)
    return with_recordings(site, config, folder)


def load_sites(config: MirrorConfig) -> list[MirrorSite]:
    """Every site of the sites directory, in folder-name order."""
    return [load_site(config, folder) for folder in site_folders(config.sites_dir)]
