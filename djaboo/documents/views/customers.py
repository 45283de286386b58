"""Customers and their contacts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from djaboo.db import get_in_space_or_404, space_select
from djaboo.documents.forms import ContactForm, CustomerForm, NewCustomerForm
from djaboo.documents.listing import paginate
from djaboo.documents.models import Contact, Customer, Invoice
from djaboo.documents.views import bp
from djaboo.extensions import db
from djaboo.i18n import _

SORTS = {"company": (Customer.company, Customer.id), "-created": (Customer.id.desc(),)}


@bp.route("/customers")
@login_required
def customer_list():
    page = paginate(
        space_select(Customer, current_user.space_id),
        args=request.args,
        sorts=SORTS,
        default_sort="company",
        search_columns=(Customer.company,),
    )
    return render_template("documents/customers.html", page=page)


@bp.route("/customers/new", methods=["GET", "POST"])
@login_required
def customer_create():
    form = NewCustomerForm(language="", currency="EUR")
    if form.validate_on_submit():
        customer = Customer(space_id=current_user.space_id)
        form.populate_obj(customer)
        db.session.add(customer)
        if form.email.data:
            customer.contacts.append(
                Contact(
                    space_id=current_user.space_id,
                    first_name=form.first_name.data or "",
                    last_name=form.last_name.data or "",
                    email=form.email.data,
                    phone=form.phone.data or "",
                    is_primary=True,
                    receives_documents=True,
                )
            )
        db.session.commit()
        flash(_("Customer %(company)s created.", company=customer.company), "success")
        return redirect(url_for("documents.customer_detail", customer_id=customer.id))
    return render_template("documents/customer_form.html", form=form, customer=None)


@bp.route("/customers/<int:customer_id>")
@login_required
def customer_detail(customer_id: int):
    customer = get_in_space_or_404(db.session, Customer, customer_id, current_user.space_id)
    invoices = (
        db.session.execute(
            space_select(Invoice, current_user.space_id)
            .where(Invoice.customer_id == customer.id)
            .order_by(Invoice.id.desc())
            .limit(50)
        )
        .scalars()
        .all()
    )
    return render_template(
        "documents/customer.html",
        customer=customer,
        invoices=invoices,
        contact_form=ContactForm(formdata=None),
    )


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@login_required
def customer_edit(customer_id: int):
    customer = get_in_space_or_404(db.session, Customer, customer_id, current_user.space_id)
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        form.populate_obj(customer)
        db.session.commit()
        flash(_("Customer saved."), "success")
        return redirect(url_for("documents.customer_detail", customer_id=customer.id))
    return render_template("documents/customer_form.html", form=form, customer=customer)


@bp.route("/customers/<int:customer_id>/contacts", methods=["POST"])
@login_required
def contact_add(customer_id: int):
    customer = get_in_space_or_404(db.session, Customer, customer_id, current_user.space_id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = Contact(space_id=current_user.space_id)
        form.populate_obj(contact)
        if contact.is_primary:
            for other in customer.contacts:
                other.is_primary = False
        customer.contacts.append(contact)
        db.session.commit()
        flash(_("Contact %(email)s added.", email=contact.email), "success")
        return redirect(url_for("documents.customer_detail", customer_id=customer.id))
    invoices = []
    return render_template(
        "documents/customer.html", customer=customer, invoices=invoices, contact_form=form
    ), 400


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@login_required
def contact_delete(contact_id: int):
    contact = get_in_space_or_404(db.session, Contact, contact_id, current_user.space_id)
    customer_id = contact.customer_id
    from djaboo.documents.forms import FlaskForm

    if FlaskForm().validate_on_submit():
        db.session.delete(contact)
        db.session.commit()
        flash(_("Contact removed."), "success")
    return redirect(url_for("documents.customer_detail", customer_id=customer_id))
