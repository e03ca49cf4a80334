//! Domain types shared by every Upstream crate.
//!
//! Invariant: this crate does no IO and holds no policy. It names things
//! (months, money, tenures, source systems, roles) so the other crates agree on them.

mod access;
mod money;
mod month;
mod vocab;

pub use access::{AuditAction, Role};
pub use money::Pence;
pub use month::{Month, MonthError};
pub use vocab::{CrisisKind, Nation, SourceSystem, Tenure};
