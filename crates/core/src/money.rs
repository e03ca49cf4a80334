use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of money in integer pence. Never a float: rounding errors in
/// arrears are exactly the kind of thing a resident would dispute.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Pence(pub i64);

impl Pence {
    pub const ZERO: Pence = Pence(0);

    pub fn from_pounds(pounds: i64) -> Pence {
        Pence(pounds * 100)
    }

    /// Scale by a ratio given in basis points (1/100 of a percent), rounding half away from zero.
    pub fn scale_bp(self, basis_points: i64) -> Pence {
        let n = self.0 as i128 * basis_points as i128;
        let q = (n.abs() + 5_000) / 10_000;
        Pence(if n < 0 { -(q as i64) } else { q as i64 })
    }

    /// Multiply by `num/den`, rounding to the nearest penny (half away from zero).
    pub fn ratio(self, num: i64, den: i64) -> Pence {
        assert!(den > 0, "denominator must be positive");
        let n = self.0 as i128 * num as i128;
        let d = den as i128;
        let q = (n.abs() + d / 2) / d;
        Pence(if n < 0 { -(q as i64) } else { q as i64 })
    }

    pub fn max(self, other: Pence) -> Pence {
        if self >= other {
            self
        } else {
            other
        }
    }

    pub fn min(self, other: Pence) -> Pence {
        if self <= other {
            self
        } else {
            other
        }
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

/// Pounds and pence with two decimals and no currency sign ("-12.05"), as
/// council finance extracts write amounts.
impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Pence {
    type Output = Pence;
    fn add(self, rhs: Pence) -> Pence {
        Pence(self.0 + rhs.0)
    }
}
impl AddAssign for Pence {
    fn add_assign(&mut self, rhs: Pence) {
        self.0 += rhs.0;
    }
}
impl Sub for Pence {
    type Output = Pence;
    fn sub(self, rhs: Pence) -> Pence {
        Pence(self.0 - rhs.0)
    }
}
impl SubAssign for Pence {
    fn sub_assign(&mut self, rhs: Pence) {
        self.0 -= rhs.0;
    }
}
impl Neg for Pence {
    type Output = Pence;
    fn neg(self) -> Pence {
        Pence(-self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_pounds_and_pence() {
        assert_eq!(Pence(12345).to_string(), "123.45");
        assert_eq!(Pence(-5).to_string(), "-0.05");
        assert_eq!(Pence(0).to_string(), "0.00");
    }

    #[test]
    fn scales_by_basis_points_with_rounding() {
        assert_eq!(Pence(1000).scale_bp(10_770), Pence(1077));
        assert_eq!(Pence(999).scale_bp(5_000), Pence(500));
        assert_eq!(Pence(-999).scale_bp(5_000), Pence(-500));
    }

    #[test]
    fn ratio_rounds_to_nearest_penny() {
        assert_eq!(Pence(10000).ratio(12, 52), Pence(2308));
        assert_eq!(Pence(1).ratio(1, 2), Pence(1));
    }
}
