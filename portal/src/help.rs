//! The "User Authorization Instruction" page the login forms link to.

use axum::extract::Query;
use axum::response::Html;

use crate::i18n::Text;
use crate::pages::{escape, layout, NO_SCRIPT};
use crate::LangQuery;

/// `GET /help`: the "User Authorization Instruction": EDS login with Qoltanba, and what to do
/// when the browser blocks the local connection or does not trust the local certificate.
pub async fn help_page(Query(q): Query<LangQuery>) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let steps: String = [
        Text::HelpEdsStart,
        Text::HelpEdsTab,
        Text::HelpEdsAllowSite,
        Text::HelpEdsChooseKey,
        Text::HelpEdsIdentity,
    ]
    .iter()
    .map(|step| format!("<li>{}</li>", t(*step)))
    .collect();
    let body = format!(
        "<section id=\"help-eds\"><h2>{eds_title}</h2><ol>{steps}</ol></section>\
<section id=\"help-blocked\"><h2>{blocked_title}</h2><p>{blocked}</p></section>\
<section id=\"help-trust\"><h2>{trust_title}</h2><p>{trust}</p></section>\
<section id=\"help-password\"><h2>{password_title}</h2><p>{password}</p>\
<p><a href=\"/password?lang={code}\">{forgot}</a></p></section>\
<p><a class=\"button\" href=\"/?lang={code}\">{log_in}</a></p>",
        eds_title = t(Text::HelpEdsTitle),
        blocked_title = t(Text::HelpBlockedTitle),
        blocked = t(Text::HelpBlockedText),
        trust_title = t(Text::HelpTrustTitle),
        trust = t(Text::HelpTrustText),
        password_title = t(Text::HelpPasswordTitle),
        password = t(Text::HelpPasswordText),
        forgot = t(Text::ForgotPassword),
        log_in = t(Text::LogIn),
        code = lang.code(),
    );
    layout(lang, Text::AuthInstruction, "/help", "", &body, &NO_SCRIPT)
}
