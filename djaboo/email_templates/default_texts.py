"""The texts every new space starts with, and that "Reset to default" restores.

(event, language) -> (subject, HTML body). Bodies end with {email_signature}; the predefined
header and footer are added around them when the email is composed.
"""

from __future__ import annotations

from djaboo.email_templates.notice_texts import NOTICE_TEXTS

SIG = "{email_signature}"

DEFAULT_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    # ---------------------------------------------------------------- English
    ("invoice_sent", "en"): (
        "Invoice {invoice_number} from {companyname}",
        "<p>Dear {contact_firstname},</p>"
        "<p>Please find attached invoice <strong>{invoice_number}</strong> dated {invoice_date} "
        "for <strong>{invoice_total}</strong>, due on {invoice_duedate}.</p>"
        '<p>You can also view and download it online: <a href="{invoice_link}">{invoice_link}</a>'
        "</p><p>Thank you for your business.</p>" + SIG,
    ),
    ("invoice_resent", "en"): (
        "Invoice {invoice_number} from {companyname} (copy)",
        "<p>Dear {contact_firstname},</p>"
        "<p>As requested, here is invoice <strong>{invoice_number}</strong> again. The amount due "
        "is <strong>{invoice_amount_due}</strong> (due on {invoice_duedate}).</p>"
        '<p>View it online: <a href="{invoice_link}">{invoice_link}</a></p>' + SIG,
    ),
    ("invoice_due_soon", "en"): (
        "Reminder: invoice {invoice_number} is due on {invoice_duedate}",
        "<p>Dear {contact_firstname},</p>"
        "<p>This is a friendly reminder that invoice <strong>{invoice_number}</strong> for "
        "<strong>{invoice_amount_due}</strong> is due on {invoice_duedate}.</p>"
        '<p>View it online: <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>If you have already paid, please ignore this message.</p>" + SIG,
    ),
    ("invoice_overdue", "en"): (
        "Overdue: invoice {invoice_number}",
        "<p>Dear {contact_firstname},</p>"
        "<p>Our records show that invoice <strong>{invoice_number}</strong>, due on "
        "{invoice_duedate}, is now {total_days_overdue} days overdue. The amount due is "
        "<strong>{invoice_amount_due}</strong>.</p>"
        '<p>View and pay it online: <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>If your payment is already on its way, thank you and please ignore this "
        "message.</p>" + SIG,
    ),
    ("invoice_overdue_repeat", "en"): (
        "Still unpaid: invoice {invoice_number}",
        "<p>Dear {contact_firstname},</p>"
        "<p>We wrote to you about invoice <strong>{invoice_number}</strong>, due on "
        "{invoice_duedate}; it is still unpaid, {total_days_overdue} days after its due date. "
        "The amount due is <strong>{invoice_amount_due}</strong>.</p>"
        '<p>View and pay it online: <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>If something is wrong with this invoice, please reply to this email so we can "
        "sort it out. If you have paid in the meantime, thank you.</p>" + SIG,
    ),
    ("payment_received", "en"): (
        "Thank you for your payment ({invoice_number})",
        "<p>Dear {contact_firstname},</p>"
        "<p>We received your payment of <strong>{payment_amount}</strong> on {payment_date} for "
        "invoice {invoice_number}. Thank you!</p>"
        "<p>Amount still due: {invoice_amount_due}.</p>" + SIG,
    ),
    ("estimate_sent", "en"): (
        "Estimate {estimate_number} from {companyname}",
        "<p>Dear {contact_firstname},</p>"
        "<p>Please find attached our estimate <strong>{estimate_number}</strong> for "
        "<strong>{estimate_total}</strong>, valid until {estimate_expirydate}.</p>"
        '<p>You can view, accept or decline it online: <a href="{estimate_link}">'
        "{estimate_link}</a></p><p>We look forward to working with you.</p>" + SIG,
    ),
    ("estimate_expiring", "en"): (
        "Estimate {estimate_number} expires on {estimate_expirydate}",
        "<p>Dear {contact_firstname},</p>"
        "<p>Our estimate <strong>{estimate_number}</strong> for {estimate_total} is valid until "
        "{estimate_expirydate}.</p>"
        '<p>To accept it, open <a href="{estimate_link}">{estimate_link}</a>.</p>' + SIG,
    ),
    ("credit_note_sent", "en"): (
        "Credit note {credit_note_number} from {companyname}",
        "<p>Dear {contact_firstname},</p>"
        "<p>Please find attached credit note <strong>{credit_note_number}</strong> dated "
        "{credit_note_date} for <strong>{credit_note_total}</strong>.</p>"
        '<p>You can also view and download it online: <a href="{credit_note_link}">'
        "{credit_note_link}</a></p>" + SIG,
    ),
    ("test_email", "en"): (
        "Test email from {companyname}",
        "<p>Hello,</p><p>This is a test email sent by Djaboo Mail for {companyname}. If you can "
        "read it, the outgoing mail settings work: invoices, estimates and reminders will go out "
        "the same way, wrapped in this header and footer.</p>" + SIG,
    ),
    ("password_reset", "en"): (
        "Choose a new password for {companyname}",
        "<p>Hello {staff_firstname},</p>"
        "<p>Someone, probably you, asked to choose a new password for your account at "
        "{companyname}. Open this link to choose it:</p>"
        '<p><a href="{password_reset_link}">{password_reset_link}</a></p>'
        "<p>The link works once, for an hour. If you did not ask for it, ignore this email: "
        "your password stays as it is.</p>" + SIG,
    ),
    # ---------------------------------------------------------------- Français
    ("invoice_sent", "fr"): (
        "Facture {invoice_number} de {companyname}",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Veuillez trouver ci-joint la facture <strong>{invoice_number}</strong> du "
        "{invoice_date}, d'un montant de <strong>{invoice_total}</strong>, payable au plus tard "
        "le {invoice_duedate}.</p>"
        '<p>Vous pouvez aussi la consulter en ligne : <a href="{invoice_link}">{invoice_link}</a>'
        "</p><p>Merci de votre confiance.</p>" + SIG,
    ),
    ("invoice_resent", "fr"): (
        "Facture {invoice_number} de {companyname} (copie)",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Comme convenu, voici de nouveau la facture <strong>{invoice_number}</strong>. Reste à "
        "payer : <strong>{invoice_amount_due}</strong> (échéance le {invoice_duedate}).</p>"
        '<p>Consultez-la en ligne : <a href="{invoice_link}">{invoice_link}</a></p>' + SIG,
    ),
    ("invoice_due_soon", "fr"): (
        "Rappel : la facture {invoice_number} arrive à échéance le {invoice_duedate}",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Pour rappel, la facture <strong>{invoice_number}</strong> d'un montant de "
        "<strong>{invoice_amount_due}</strong> arrive à échéance le {invoice_duedate}.</p>"
        '<p>Consultez-la en ligne : <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>Si vous avez déjà réglé cette facture, merci de ne pas tenir compte de ce "
        "message.</p>" + SIG,
    ),
    ("invoice_overdue", "fr"): (
        "Facture {invoice_number} en retard de paiement",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Sauf erreur de notre part, la facture <strong>{invoice_number}</strong>, échue le "
        "{invoice_duedate}, présente un retard de {total_days_overdue} jours. Reste à payer : "
        "<strong>{invoice_amount_due}</strong>.</p>"
        '<p>Consultez-la en ligne : <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>Si votre règlement est déjà en cours, merci et veuillez ignorer ce message.</p>" + SIG,
    ),
    ("invoice_overdue_repeat", "fr"): (
        "Relance : facture {invoice_number} toujours impayée",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Nous vous avons déjà écrit au sujet de la facture <strong>{invoice_number}</strong>, "
        "échue le {invoice_duedate} : elle reste impayée {total_days_overdue} jours après son "
        "échéance. Reste à payer : <strong>{invoice_amount_due}</strong>.</p>"
        '<p>Consultez-la en ligne : <a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>Si cette facture pose un problème, répondez simplement à ce message. Si vous "
        "l'avez réglée entre-temps, merci.</p>" + SIG,
    ),
    ("payment_received", "fr"): (
        "Merci pour votre règlement ({invoice_number})",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Nous avons bien reçu votre règlement de <strong>{payment_amount}</strong> le "
        "{payment_date} pour la facture {invoice_number}. Merci !</p>"
        "<p>Reste à payer : {invoice_amount_due}.</p>" + SIG,
    ),
    ("estimate_sent", "fr"): (
        "Devis {estimate_number} de {companyname}",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Veuillez trouver ci-joint notre devis <strong>{estimate_number}</strong> d'un montant "
        "de <strong>{estimate_total}</strong>, valable jusqu'au {estimate_expirydate}.</p>"
        "<p>Vous pouvez le consulter, l'accepter ou le refuser en ligne : <a href=\""
        '{estimate_link}">{estimate_link}</a></p>' + SIG,
    ),
    ("estimate_expiring", "fr"): (
        "Le devis {estimate_number} expire le {estimate_expirydate}",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Notre devis <strong>{estimate_number}</strong> de {estimate_total} est valable "
        "jusqu'au {estimate_expirydate}.</p>"
        '<p>Pour l\'accepter : <a href="{estimate_link}">{estimate_link}</a></p>' + SIG,
    ),
    ("credit_note_sent", "fr"): (
        "Avoir {credit_note_number} de {companyname}",
        "<p>Bonjour {contact_firstname},</p>"
        "<p>Veuillez trouver ci-joint l'avoir <strong>{credit_note_number}</strong> du "
        "{credit_note_date}, d'un montant de <strong>{credit_note_total}</strong>.</p>"
        '<p>Vous pouvez aussi le consulter en ligne : <a href="{credit_note_link}">'
        "{credit_note_link}</a></p>" + SIG,
    ),
    ("test_email", "fr"): (
        "E-mail de test de {companyname}",
        "<p>Bonjour,</p><p>Ceci est un e-mail de test envoyé par Djaboo Mail pour {companyname}. "
        "Si vous le lisez, les réglages d'envoi fonctionnent : factures, devis et relances "
        "partiront de la même façon, avec cet en-tête et ce pied de page.</p>" + SIG,
    ),
    ("password_reset", "fr"): (
        "Choisissez un nouveau mot de passe pour {companyname}",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>Quelqu'un, sans doute vous, a demandé à choisir un nouveau mot de passe pour votre "
        "compte chez {companyname}. Ouvrez ce lien pour le choisir :</p>"
        '<p><a href="{password_reset_link}">{password_reset_link}</a></p>'
        "<p>Ce lien ne sert qu'une fois, pendant une heure. Si vous n'avez rien demandé, ignorez "
        "cet e-mail : votre mot de passe reste le même.</p>" + SIG,
    ),
    # ---------------------------------------------------------------- 日本語
    ("invoice_sent", "ja"): (
        "【{companyname}】請求書 {invoice_number} のご送付",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>いつもお世話になっております。</p>"
        "<p>請求書 <strong>{invoice_number}</strong>（発行日 {invoice_date}）をお送りいたします。"
        "ご請求金額は <strong>{invoice_total}</strong>、お支払期限は {invoice_duedate} です。</p>"
        '<p>オンラインでもご確認いただけます：<a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>今後ともよろしくお願い申し上げます。</p>" + SIG,
    ),
    ("invoice_resent", "ja"): (
        "【{companyname}】請求書 {invoice_number} の再送",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>請求書 <strong>{invoice_number}</strong> を再送いたします。未払い残高は "
        "<strong>{invoice_amount_due}</strong>、お支払期限は {invoice_duedate} です。</p>"
        '<p>オンラインでのご確認：<a href="{invoice_link}">{invoice_link}</a></p>' + SIG,
    ),
    ("invoice_due_soon", "ja"): (
        "【{companyname}】請求書 {invoice_number} のお支払期限のご案内",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>請求書 <strong>{invoice_number}</strong>（<strong>{invoice_amount_due}</strong>）の"
        "お支払期限は {invoice_duedate} です。</p>"
        '<p>オンラインでのご確認：<a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>既にお支払い済みの場合は、本メールは破棄してください。</p>" + SIG,
    ),
    ("invoice_overdue", "ja"): (
        "【{companyname}】請求書 {invoice_number} のお支払いについて",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>請求書 <strong>{invoice_number}</strong>（お支払期限 {invoice_duedate}）につきまして、"
        "{total_days_overdue} 日経過しておりますが、ご入金の確認ができておりません。"
        "未払い残高は <strong>{invoice_amount_due}</strong> です。</p>"
        '<p>オンラインでのご確認：<a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>行き違いでお支払い済みの場合は、ご容赦ください。</p>" + SIG,
    ),
    ("invoice_overdue_repeat", "ja"): (
        "【{companyname}】請求書 {invoice_number} のお支払いについて（再送）",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>先日ご連絡いたしました請求書 <strong>{invoice_number}</strong>（お支払期限 "
        "{invoice_duedate}）につきまして、{total_days_overdue} 日経過した現在もご入金の確認が"
        "できておりません。未払い残高は <strong>{invoice_amount_due}</strong> です。</p>"
        '<p>オンラインでのご確認：<a href="{invoice_link}">{invoice_link}</a></p>'
        "<p>ご不明な点がございましたら、本メールにご返信ください。"
        "行き違いでお支払い済みの場合は、ご容赦ください。</p>" + SIG,
    ),
    ("payment_received", "ja"): (
        "【{companyname}】ご入金ありがとうございました（{invoice_number}）",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>{payment_date} に請求書 {invoice_number} のお支払い <strong>{payment_amount}</strong> "
        "を確認いたしました。誠にありがとうございました。</p>"
        "<p>未払い残高：{invoice_amount_due}</p>" + SIG,
    ),
    ("estimate_sent", "ja"): (
        "【{companyname}】お見積書 {estimate_number} のご送付",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>お見積書 <strong>{estimate_number}</strong>（<strong>{estimate_total}</strong>、"
        "有効期限 {estimate_expirydate}）をお送りいたします。</p>"
        '<p>オンラインでのご確認・ご承認：<a href="{estimate_link}">{estimate_link}</a></p>' + SIG,
    ),
    ("estimate_expiring", "ja"): (
        "【{companyname}】お見積書 {estimate_number} の有効期限のご案内",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>お見積書 <strong>{estimate_number}</strong>（{estimate_total}）の有効期限は "
        "{estimate_expirydate} です。</p>"
        '<p>ご承認はこちら：<a href="{estimate_link}">{estimate_link}</a></p>' + SIG,
    ),
    ("credit_note_sent", "ja"): (
        "【{companyname}】クレジットノート {credit_note_number} のご送付",
        "<p>{client_company}<br>{contact_lastname} 様</p>"
        "<p>クレジットノート（貸方票）<strong>{credit_note_number}</strong>（発行日 "
        "{credit_note_date}、金額 <strong>{credit_note_total}</strong>）をお送りいたします。</p>"
        '<p>オンラインでもご確認いただけます：<a href="{credit_note_link}">{credit_note_link}</a>'
        "</p>" + SIG,
    ),
    ("test_email", "ja"): (
        "【{companyname}】テストメール",
        "<p>このメールは Djaboo Mail から {companyname} のために送信されたテストメールです。"
        "お読みいただけていれば、送信設定は正しく動作しています。</p>" + SIG,
    ),
    ("password_reset", "ja"): (
        "【{companyname}】パスワード再設定のご案内",
        "<p>{staff_firstname} {staff_lastname} 様</p>"
        "<p>{companyname} のアカウントについて、パスワードの再設定が申請されました。"
        "以下のリンクから新しいパスワードを設定してください。</p>"
        '<p><a href="{password_reset_link}">{password_reset_link}</a></p>'
        "<p>このリンクは1回限り、1時間有効です。お心当たりのない場合は、このメールを破棄して"
        "ください。パスワードは変更されません。</p>" + SIG,
    ),
}

# The notices to staff (djaboo/notices/): kept apart, shipped the same way.
DEFAULT_TEXTS.update(NOTICE_TEXTS)
