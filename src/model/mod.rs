//! The CloudTrail vocabulary shared by every other module: symbols, times, identities.

pub mod identity;
pub mod time;

pub use identity::{Identity, IdentityType, KeyKind, Mfa};
pub use time::Millis;

/// An interned string: an index into the store's string table. `Sym(0)` is the empty string, used
/// for every field that is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string / absent field.
    pub const EMPTY: Sym = Sym(0);

    /// Whether this is the empty string.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}
