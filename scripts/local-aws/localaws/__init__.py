"""The local AWS plugin: what moto 5.2.5's CloudFormation engine lacks for bs's stacks.

``install()`` registers the resource models of ``resources`` (types moto's
CloudFormation cannot create) and applies the patches of ``engine`` (change sets,
dynamic references, TemplateURL, updates, busy stacks, and the checks of
``constraints``/``schemas``: what AWS refuses, and of ``handler_permissions``:
what the stack's role may do), ``services`` (attributes and
behaviour of moto's own service models) and ``managed_policies`` (updates and
deletes of a stack's AWS::IAM::ManagedPolicy), and adds the test hook of ``hold``
(``POST /localaws/hold-stack``). Call it once, before the server handles its
first request. docs/local-aws.md lists every mapping and patch.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    # Imported here so that importing the package stays cheap and side-effect free.
    from . import engine, hold, managed_policies, resources, services

    resources.install()
    services.install()
    managed_policies.install()
    engine.install()
    hold.install()
    _installed = True
