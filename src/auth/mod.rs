//! Accounts: registration, login with throttling, JWT access tokens, rotating refresh tokens, and the
//! extractors that tell handlers who is calling.

pub mod bulk;
pub mod client_addr;
pub mod extract;
pub mod model;
pub mod password;
pub mod routes;
pub mod session;
pub mod store;
pub mod tokens;

pub use extract::{Admin, AuthUser, Employer, Seeker};
pub use model::Role;
pub use session::verify_current_password;
