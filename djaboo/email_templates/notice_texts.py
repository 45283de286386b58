"""The shipped texts of the notices to staff (djaboo/notices/), part of DEFAULT_TEXTS.

(event, language) -> (subject, HTML body). A notice is the app telling one of the space's own
people something: no signature; the space's header and footer still wrap it.
"""

from __future__ import annotations

_OPEN_EN = '<a href="{estimate_staff_link}">{estimate_staff_link}</a>'
_FAILED_EN = (
    "<p><strong>{failed_subject}</strong><br>To: {failed_recipients}<br>"
    "Status: {failed_status}<br>{failed_document}</p><p>{failed_reason}</p><p>{failed_results}</p>"
)
_FAILED_FR = (
    "<p><strong>{failed_subject}</strong><br>À : {failed_recipients}<br>"
    "État : {failed_status}<br>{failed_document}</p><p>{failed_reason}</p><p>{failed_results}</p>"
)
_FAILED_JA = (
    "<p><strong>{failed_subject}</strong><br>宛先：{failed_recipients}<br>"
    "状態：{failed_status}<br>{failed_document}</p><p>{failed_reason}</p><p>{failed_results}</p>"
)
_EMAIL_LINK = '<a href="{failed_email_link}">{failed_email_link}</a>'
_LOG_LINK = '<a href="{failed_log_link}">{failed_log_link}</a>'
_SETTINGS_LINK = '<a href="{settings_link}">{settings_link}</a>'

NOTICE_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    # ---------------------------------------------------------------- English
    ("estimate_accepted_notice", "en"): (
        "Estimate {estimate_number} accepted by {estimate_customer}",
        "<p>Hello {staff_firstname},</p>"
        "<p>{estimate_customer} accepted estimate <strong>{estimate_number}</strong> "
        "({estimate_total}) on its page.</p>"
        f"<p>Open it, for instance to turn it into an invoice: {_OPEN_EN}</p>",
    ),
    ("estimate_declined_notice", "en"): (
        "Estimate {estimate_number} declined by {estimate_customer}",
        "<p>Hello {staff_firstname},</p>"
        "<p>{estimate_customer} declined estimate <strong>{estimate_number}</strong> "
        "({estimate_total}) on its page.</p>"
        f"<p>Open it: {_OPEN_EN}</p>",
    ),
    ("email_failed_notice", "en"): (
        "Not delivered: {failed_subject}",
        "<p>Hello {staff_firstname},</p>"
        "<p>An email of {companyname} did not reach everyone it was for.</p>"
        + _FAILED_EN
        + f"<p>See the email and what the server said, and send it again: {_EMAIL_LINK}</p>",
    ),
    ("failed_emails_digest", "en"): (
        "{failed_count} email(s) of {companyname} not delivered ({failed_day})",
        "<p>Hello {staff_firstname},</p>"
        "<p>These emails of {companyname} did not reach everyone they were for "
        "({failed_day}):</p>{failed_list}"
        f"<p>The email log: {_LOG_LINK}</p>",
    ),
    ("sending_paused_notice", "en"): (
        "Sending was paused for {companyname}",
        "<p>Hello {staff_firstname},</p>"
        "<p>The mail server refused the email settings of {companyname}, so sending stopped: "
        "no email leaves until the settings are corrected and saved.</p>"
        "<p>{pause_reason}</p>"
        f"<p>Settings → Email: {_SETTINGS_LINK}</p>"
        "<p>This notice could only leave once the settings were saved again; the emails that "
        "waited left with it. Check the email log for any that still fail.</p>",
    ),
    # ---------------------------------------------------------------- Français
    ("estimate_accepted_notice", "fr"): (
        "Devis {estimate_number} accepté par {estimate_customer}",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>{estimate_customer} a accepté le devis <strong>{estimate_number}</strong> "
        "({estimate_total}) en ligne.</p>"
        f"<p>Ouvrez-le, par exemple pour en faire une facture : {_OPEN_EN}</p>",
    ),
    ("estimate_declined_notice", "fr"): (
        "Devis {estimate_number} refusé par {estimate_customer}",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>{estimate_customer} a refusé le devis <strong>{estimate_number}</strong> "
        "({estimate_total}) en ligne.</p>"
        f"<p>Ouvrez-le : {_OPEN_EN}</p>",
    ),
    ("email_failed_notice", "fr"): (
        "Non distribué : {failed_subject}",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>Un e-mail de {companyname} n'est pas parvenu à tous ses destinataires.</p>"
        + _FAILED_FR
        + "<p>Consultez l'e-mail et la réponse du serveur, puis renvoyez-le : "
        + _EMAIL_LINK
        + "</p>",
    ),
    ("failed_emails_digest", "fr"): (
        "{failed_count} e-mail(s) de {companyname} non distribué(s) ({failed_day})",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>Ces e-mails de {companyname} ne sont pas parvenus à tous leurs destinataires "
        "({failed_day}) :</p>{failed_list}"
        f"<p>Le journal des e-mails : {_LOG_LINK}</p>",
    ),
    ("sending_paused_notice", "fr"): (
        "L'envoi des e-mails de {companyname} a été suspendu",
        "<p>Bonjour {staff_firstname},</p>"
        "<p>Le serveur de messagerie a refusé les réglages d'envoi de {companyname} : l'envoi "
        "est suspendu et aucun e-mail ne part tant que les réglages ne sont pas corrigés et "
        "enregistrés.</p>"
        "<p>{pause_reason}</p>"
        f"<p>Settings → Email : {_SETTINGS_LINK}</p>"
        "<p>Ce message n'a pu partir qu'une fois les réglages enregistrés de nouveau ; les "
        "e-mails en attente sont partis avec lui. Vérifiez dans le journal des e-mails "
        "qu'aucun n'échoue encore.</p>",
    ),
    # ---------------------------------------------------------------- 日本語
    ("estimate_accepted_notice", "ja"): (
        "【{companyname}】見積書 {estimate_number} が承認されました（{estimate_customer}）",
        "<p>{staff_firstname} さん</p>"
        "<p>{estimate_customer} が見積書 <strong>{estimate_number}</strong>（{estimate_total}）"
        "をオンラインで承認しました。</p>"
        f"<p>請求書への変換などはこちらから：{_OPEN_EN}</p>",
    ),
    ("estimate_declined_notice", "ja"): (
        "【{companyname}】見積書 {estimate_number} が辞退されました（{estimate_customer}）",
        "<p>{staff_firstname} さん</p>"
        "<p>{estimate_customer} が見積書 <strong>{estimate_number}</strong>（{estimate_total}）"
        "をオンラインで辞退しました。</p>"
        f"<p>見積書を開く：{_OPEN_EN}</p>",
    ),
    ("email_failed_notice", "ja"): (
        "【{companyname}】メールが配信されませんでした：{failed_subject}",
        "<p>{staff_firstname} さん</p>"
        "<p>{companyname} のメールが、一部またはすべての宛先に配信されませんでした。</p>"
        + _FAILED_JA
        + f"<p>メールの詳細とサーバーの応答の確認、再送はこちら：{_EMAIL_LINK}</p>",
    ),
    ("failed_emails_digest", "ja"): (
        "【{companyname}】配信されなかったメール {failed_count} 件（{failed_day}）",
        "<p>{staff_firstname} さん</p>"
        "<p>{failed_day}、{companyname} の次のメールが一部またはすべての宛先に配信されません"
        "でした。</p>{failed_list}"
        f"<p>メール履歴：{_LOG_LINK}</p>",
    ),
    ("sending_paused_notice", "ja"): (
        "【{companyname}】メールの送信が停止されました",
        "<p>{staff_firstname} さん</p>"
        "<p>メールサーバーが {companyname} の送信設定を受け付けなかったため、送信を停止しました。"
        "設定を修正して保存するまで、メールは送信されません。</p>"
        "<p>{pause_reason}</p>"
        f"<p>Settings → Email：{_SETTINGS_LINK}</p>"
        "<p>このお知らせは設定が再度保存された後に送信されています。待機していたメールも同時に"
        "送信されました。失敗したメールが残っていないか、メール履歴をご確認ください。</p>",
    ),
}
