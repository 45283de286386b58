"""What the views of every kind share: loading a document of the signed-in space, and routing
one view function to each kind under the kind's own URLs and endpoint names."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_login import current_user, login_required

from djaboo.db import get_in_space_or_404
from djaboo.documents.kinds import KINDS, DocumentKind, kind_of
from djaboo.documents.views import bp
from djaboo.extensions import db


def load_document(kind: DocumentKind, document_id: int):
    return get_in_space_or_404(db.session, kind.model, document_id, current_user.space_id)


def detail_url(document, anchor: str = "") -> str:
    kind = kind_of(document)
    return url_for(kind.endpoint("detail"), **{kind.id_arg: document.id}) + anchor


def route_each_kind(
    view: str,
    path: str,
    methods=("GET",),
    *,
    public: bool = False,
    where: Callable[[DocumentKind], object] = bool,
) -> Callable[[Callable], Callable]:
    """Route view(kind, ...) for every kind: path's {prefix} is the kind's URL prefix, {name}
    its name and {id} its id argument (<int:invoice_id>), which the view gets as document_id;
    the endpoint is <name>_<view> (documents.invoice_detail) so URLs and url_for stay as they
    were when each kind had its own copy. `where(kind)` false: that kind has no such route."""

    def register(function: Callable) -> Callable:
        for kind in filter(where, KINDS):
            rule = path.format(prefix=kind.url_prefix, name=kind.name, id=f"<int:{kind.id_arg}>")
            endpoint = _bound(function, kind)
            bp.add_url_rule(
                rule,
                endpoint=f"{kind.name}_{view}",
                view_func=endpoint if public else login_required(endpoint),
                methods=list(methods),
            )
        return function

    return register


def _bound(function: Callable, kind: DocumentKind) -> Callable:
    def endpoint(**args):
        if kind.id_arg in args:
            args["document_id"] = args.pop(kind.id_arg)
        return function(kind, **args)

    endpoint.__name__ = f"{kind.name}_{function.__name__}"
    return endpoint
