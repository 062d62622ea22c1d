//! Accounts: registration, login with throttling, JWT access tokens, rotating refresh tokens, and the
//! extractors that tell handlers who is calling.
//!
//! Other features reach accounts through what is re-exported here: [`view`] (an account by email, display names),
//! [`register`] and [`verify_current_password`], and [`privacy`] (auth's part of an export and of an erasure).

pub mod bulk;
pub mod client_addr;
pub mod directory;
pub mod extract;
pub mod model;
pub mod password;
pub mod privacy;
pub mod routes;
pub mod service;
mod store;
pub mod tokens;
pub mod view;

pub use extract::{Admin, AuthUser, Employer, Seeker};
pub use model::Role;
pub use service::{register, verify_current_password};
pub use store::email_of;
pub use view::{account_by_email, display_names, AccountView};
