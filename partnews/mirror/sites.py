"""The list of mirrored sites, and how the server builds them from a config.

Each entry is an import path "module:Class" whose class takes a `MirrorConfig` and
follows the `MirrorSite` protocol. Adding a source to the mirror is one line here. A
module that does not exist yet (another site still being written) is skipped with a
warning, so the server keeps serving the sites that do exist.
"""

from __future__ import annotations

import importlib
import warnings

from partnews.mirror.site import MirrorConfig, MirrorSite

SITE_CLASSES = (
    "partnews.mirror.wordpress:FranceSanDiegoSite",
    "partnews.mirror.drupal:InvestInProvenceSite",
    "partnews.mirror.wordpress:TeamCoteDazurSite",
    "partnews.mirror.wordpress:TimesOfSanDiegoSite",
    "partnews.mirror.drupal:VilleDeMarseilleSite",
    "partnews.mirror.drupal:CityOfSanDiegoSite",
    "partnews.mirror.generic:RegionSudSite",
    "partnews.mirror.generic:RisingSudSite",
    "partnews.mirror.generic:SanDiegoBusinessSite",
)


def load_site_class(import_path: str) -> type | None:
    """Import "module:Class"; None (with a warning) when the module is not written yet."""
    module_name, _, class_name = import_path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # a missing dependency inside an existing module is a real error
        warnings.warn(f"mirror site {import_path} skipped: no module {module_name}", stacklevel=2)
        return None
    site_class = getattr(module, class_name, None)
    if site_class is None:
        warnings.warn(f"mirror site {import_path} skipped: no class {class_name}", stacklevel=2)
    return site_class


def load_sites(
    config: MirrorConfig, import_paths: tuple[str, ...] = SITE_CLASSES
) -> list[MirrorSite]:
    """Build every available site for this config, in the order of `import_paths`."""
    sites = []
    for import_path in import_paths:
        site_class = load_site_class(import_path)
        if site_class is not None:
            sites.append(site_class(config))
    return sites
