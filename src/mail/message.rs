//! Turning a claimed outbox row into an RFC 5322 message: multipart/alternative (text, then HTML), the row's extra
//! header fields, and a Message-ID made from the row id so that every retry carries the same one.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use uuid::Uuid;

use super::store::ClaimedMail;

/// The sender of every email (`MAIL_FROM`) and the domain its Message-IDs are made in.
#[derive(Clone, Debug)]
pub struct Sender {
    mailbox: Mailbox,
    domain: String,
}

#[derive(Debug, thiserror::Error)]
#[error("MAIL_FROM {0:?} is not a mailbox such as `Tandem <no-reply@example.org>`")]
pub struct InvalidSender(String);

impl Sender {
    pub fn parse(mail_from: &str) -> Result<Self, InvalidSender> {
        let mailbox: Mailbox = mail_from.parse().map_err(|_| InvalidSender(mail_from.to_owned()))?;
        let domain = mailbox.email.domain().to_owned();
        Ok(Self { mailbox, domain })
    }

    /// `<{id}@{domain of MAIL_FROM}>`: stable across retries, so a receiver can drop a duplicate.
    pub fn message_id(&self, id: Uuid) -> String {
        format!("<{id}@{}>", self.domain)
    }
}

/// Why a row cannot become a message. Retrying would not help: the row fails.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the recipient {0:?} is not a valid address")]
    Recipient(String),
    #[error("the extra header {0:?} is not allowed (the mailer sets it, or its name or value is malformed)")]
    Header(String),
    #[error("the message cannot be built: {0}")]
    Message(String),
}

/// Fields the mailer owns; a row's extra headers may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "sender",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

pub fn build(sender: &Sender, mail: &ClaimedMail) -> Result<Message, BuildError> {
    let to: Mailbox = mail.recipient.parse().map_err(|_| BuildError::Recipient(mail.recipient.clone()))?;
    let mut builder = Message::builder()
        .message_id(Some(sender.message_id(mail.id)))
        .from(sender.mailbox.clone())
        .to(to)
        .subject(mail.subject.clone())
        // The row's creation time, so a retry is the same message in every header the mailer sets.
        .date(mail.created_at.into());
    for header in extra_headers(&mail.headers)? {
        builder = builder.raw_header(header);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()))
        .map_err(|e| BuildError::Message(e.to_string()))
}

fn extra_headers(headers: &serde_json::Value) -> Result<Vec<HeaderValue>, BuildError> {
    let Some(fields) = headers.as_object() else {
        return Err(BuildError::Message("the extra headers are not a JSON object".to_owned()));
    };
    fields
        .iter()
        .map(|(name, value)| {
            let invalid = || BuildError::Header(name.clone());
            let value = value.as_str().ok_or_else(invalid)?;
            let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
            // A line break in a value would start a header of its own.
            if !name_ok || value.chars().any(char::is_control) || RESERVED_HEADERS.contains(&&*name.to_lowercase()) {
                return Err(invalid());
            }
            let name = HeaderName::new_from_ascii(name.clone()).map_err(|_| invalid())?;
            Ok(HeaderValue::new(name, value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: serde_json::Value) -> ClaimedMail {
        ClaimedMail {
            id: Uuid::nil(),
            recipient: "ada@example.org".to_owned(),
            subject: "Hello".to_owned(),
            body_text: "text part".to_owned(),
            body_html: "<p>html part</p>".to_owned(),
            headers,
            attempts: 1,
            created_at: chrono::Utc::now(),
        }
    }

    fn sender() -> Sender {
        Sender::parse("Tandem <no-reply@tandem.example>").expect("valid sender")
    }

    #[test]
    fn message_id_comes_from_the_row_and_the_sender_domain() {
        let formatted = build(&sender(), &mail(serde_json::json!({}))).expect("builds").formatted();
        let text = String::from_utf8(formatted).expect("ascii");
        assert!(text.contains("Message-ID: <00000000-0000-0000-0000-000000000000@tandem.example>"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
    }

    #[test]
    fn extra_headers_are_added_but_may_not_replace_the_mailers_own() {
        let unsubscribe = serde_json::json!({"List-Unsubscribe": "<https://t.example/u?token=x>"});
        let text = String::from_utf8(build(&sender(), &mail(unsubscribe)).expect("builds").formatted()).expect("ascii");
        assert!(text.contains("List-Unsubscribe: <https://t.example/u?token=x>"), "{text}");

        for bad in [
            serde_json::json!({"Message-ID": "<x@y>"}),
            serde_json::json!({"X-Bad": "a\r\nBcc: evil@example.org"}),
            serde_json::json!({"X Bad": "a"}),
            serde_json::json!({"X-Num": 1}),
        ] {
            assert!(matches!(build(&sender(), &mail(bad.clone())), Err(BuildError::Header(_))), "{bad}");
        }
    }

    #[test]
    fn bad_sender_and_recipient_are_refused() {
        assert!(Sender::parse("not an address").is_err());
        let mut m = mail(serde_json::json!({}));
        m.recipient = "nobody".to_owned();
        assert!(matches!(build(&sender(), &m), Err(BuildError::Recipient(_))));
    }
}
