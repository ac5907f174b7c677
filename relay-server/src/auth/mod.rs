//! Credentials: adviser passwords (argon2), random tokens stored as hashes (console logins,
//! API tokens) and their scopes, and the signed tokens that let a visitor resume their own
//! conversation.

pub mod identity;
pub mod oidc;
pub mod password;
pub mod scope;
pub mod secret;
pub mod visitor_token;

pub use visitor_token::VisitorTokens;
