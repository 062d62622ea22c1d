//! Email: rendering from templates, the outbox other features write to in their own transactions, and the workers
//! that deliver it over SMTP (or into `.eml` files when no SMTP server is configured).
//!
//! How a feature sends mail: render with [`render::render`], then, in the transaction that makes the change the
//! mail is about, [`store::enqueue`] a [`store::NewMail`]. Delivery happens later, by [`worker::MailWorkers`].

#[cfg(feature = "bench")]
pub mod bench;
pub mod message;
pub mod privacy;
pub mod render;
pub mod stats;
mod store;
pub mod transport;
pub mod worker;

pub use store::{enqueue, enqueue_many, get, pending_among, MailKind, MailStatus, NewMail, OutboxRow};
