//! Mail rendering: minijinja templates (embedded in the binary) turned into a subject, a text part and an HTML part.
//!
//! A mail template `NAME` is two files in `src/mail/templates/`: `NAME.txt` extends `layout.txt` and defines the
//! blocks `subject` and `body`; `NAME.html` extends `layout.html` and defines `body`. Both layouts have a `footer`
//! block a template may override (alerts put their unsubscribe link there). HTML is escaped automatically; text is
//! not. A value the template uses but the context lacks is an error, never an empty string.

use std::sync::OnceLock;

use minijinja::{context, Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// The templates, compiled into the binary. A new mail template adds its two files here.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.txt", include_str!("templates/layout.txt")),
    ("layout.html", include_str!("templates/layout.html")),
    ("notice.txt", include_str!("templates/notice.txt")),
    ("notice.html", include_str!("templates/notice.html")),
    ("alert.txt", include_str!("templates/alert.txt")),
    ("alert.html", include_str!("templates/alert.html")),
    ("partner_invitation.txt", include_str!("templates/partner_invitation.txt")),
    ("partner_invitation.html", include_str!("templates/partner_invitation.html")),
    ("partner_referral.txt", include_str!("templates/partner_referral.txt")),
    ("partner_referral.html", include_str!("templates/partner_referral.html")),
];

/// What a template produced: everything an email needs besides its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    /// One line: whitespace (newlines included) is collapsed, so a subject can never spill into other headers.
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("there is no mail template named {0:?}")]
    UnknownTemplate(String),
    #[error("mail template {name:?} rendered an empty subject")]
    EmptySubject { name: String },
    #[error("mail template {name:?}: {reason}")]
    Template { name: String, reason: String },
}

/// Renders the template `name` with `context` (any serializable value, usually `minijinja::context!{..}` or a
/// struct deriving `Serialize`).
pub fn render(name: &str, context: impl Serialize) -> Result<RenderedMail, RenderError> {
    let env = environment().map_err(|reason| RenderError::Template { name: name.to_owned(), reason })?;
    let fail = |e: minijinja::Error| RenderError::Template { name: name.to_owned(), reason: format!("{e:#}") };
    let text_template = env.get_template(&format!("{name}.txt")).map_err(|_| unknown(name))?;
    let html_template = env.get_template(&format!("{name}.html")).map_err(|_| unknown(name))?;
    let context = Value::from_serialize(&context);

    let mut captured = text_template.render_captured(&context).map_err(fail)?;
    let subject = captured.with_state_mut(|state| state.render_block("subject")).map_err(fail)?;
    let subject = one_line(&subject);
    if subject.is_empty() {
        return Err(RenderError::EmptySubject { name: name.to_owned() });
    }
    let text = captured.into_output();
    let html = html_template.render(context! { subject => &subject, ..context }).map_err(fail)?;
    Ok(RenderedMail { subject, text: text.trim().to_owned() + "\n", html })
}

fn unknown(name: &str) -> RenderError {
    RenderError::UnknownTemplate(name.to_owned())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The environment is built once; a template that does not parse makes every render fail with the parse error
/// (and the unit tests below fail first).
fn environment() -> Result<&'static Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| format!("{e:#}"))?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(link: Option<(&str, &str)>) -> Result<RenderedMail, RenderError> {
        let link = link.map(|(url, label)| context! { url, label });
        render(
            "notice",
            context! { title => "Your profile\nis live", name => "Ada <Lovelace>", message => "Hello & welcome", link },
        )
    }

    #[test]
    fn every_template_parses() {
        assert!(environment().is_ok(), "{:?}", environment().err());
    }

    #[test]
    fn renders_subject_text_and_html_with_layout() {
        let mail = notice(Some(("https://tandem.test/x?a=1&b=2", "Open"))).expect("renders");
        assert_eq!(mail.subject, "Your profile is live");
        assert!(mail.text.starts_with("Hello Ada <Lovelace>,\n\nHello & welcome\n"), "{}", mail.text);
        assert!(mail.text.contains("Open: https://tandem.test/x?a=1&b=2"), "{}", mail.text);
        assert!(mail.text.contains("\n--\nTandem: talent matching"), "{}", mail.text);
        assert!(mail.html.contains("<p>Hello Ada &lt;Lovelace&gt;,</p>"), "{}", mail.html);
        assert!(mail.html.contains("Hello &amp; welcome"), "{}", mail.html);
        assert!(mail.html.contains("href=\"https:&#x2f;&#x2f;tandem.test&#x2f;x?a=1&amp;b=2\""), "{}", mail.html);
        assert!(mail.html.contains("<title>Your profile is live</title>"), "{}", mail.html);
    }

    #[test]
    fn optional_values_may_be_missing_but_required_ones_may_not() {
        let mail = notice(None).expect("renders without a link");
        assert!(!mail.text.contains("http"), "{}", mail.text);
        let missing = render("notice", context! { title => "t", name => "n" });
        assert!(matches!(missing, Err(RenderError::Template { .. })), "{missing:?}");
    }

    #[test]
    fn unknown_template_and_empty_subject_are_errors() {
        assert!(matches!(render("nope", context! {}), Err(RenderError::UnknownTemplate(_))));
        let empty = render("notice", context! { title => "  ", name => "n", message => "m" });
        assert!(matches!(empty, Err(RenderError::EmptySubject { .. })));
    }
}
