"""The local AWS plugin: what moto 5.2.5's CloudFormation engine lacks for bs's stacks.

``install()`` registers the resource models of ``resources`` (types moto's
CloudFormation cannot create) and applies the patches of ``engine`` (change sets,
dynamic references, TemplateURL, updates, and the checks of
``constraints``/``schemas``: what AWS refuses) and ``services`` (attributes and
behaviour of moto's own service models). Call it once, before the server handles its
first request. docs/local-aws.md lists every mapping and patch.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    # Imported here so that importing the package stays cheap and side-effect free.
    from . import engine, resources, services

    resources.install()
    services.install()
    engine.install()
    _installed = True
