//! Priority from impact and urgency.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An impact x urgency table giving a priority (1 = highest), of any size.
///
/// Rows are impacts (1 = highest), columns are urgencies (1 = most urgent). Hosts configure
/// their own instance's matrix; [`PriorityMatrix::default`] is the common ITIL 3x3.
///
/// # Example
/// ```
/// use incident_core::PriorityMatrix;
///
/// let matrix = PriorityMatrix::default();
/// assert_eq!(matrix.priority(2, 2).unwrap(), 3);
/// assert!(matrix.priority(4, 1).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Vec<u8>>", into = "Vec<Vec<u8>>")]
pub struct PriorityMatrix {
    urgencies: usize,
    cells: Vec<u8>,
}

impl PriorityMatrix {
    /// Builds a matrix from rows of priorities, one row per impact.
    ///
    /// # Errors
    /// [`Error::Configuration`] when the matrix is empty, ragged, larger than 255 x 255, or
    /// holds a priority of 0.
    pub fn new(rows: Vec<Vec<u8>>) -> Result<Self> {
        let urgencies = rows.first().map_or(0, Vec::len);
        if rows.is_empty() || urgencies == 0 {
            return Err(Error::config("the priority matrix is empty"));
        }
        if rows.len() > 255 || urgencies > 255 {
            return Err(Error::config(
                "the priority matrix is larger than 255 x 255",
            ));
        }
        if rows.iter().any(|r| r.len() != urgencies) {
            return Err(Error::config(
                "every impact row needs one priority per urgency",
            ));
        }
        let cells: Vec<u8> = rows.into_iter().flatten().collect();
        if cells.contains(&0) {
            return Err(Error::config("priorities start at 1"));
        }
        Ok(PriorityMatrix { urgencies, cells })
    }

    /// The number of impact levels.
    pub fn impacts(&self) -> u8 {
        (self.cells.len() / self.urgencies) as u8
    }

    /// The number of urgency levels.
    pub fn urgencies(&self) -> u8 {
        self.urgencies as u8
    }

    /// The lowest priority (the largest number) the matrix can give.
    pub fn lowest_priority(&self) -> u8 {
        self.cells.iter().copied().max().unwrap_or(1)
    }

    /// The priority for an impact and an urgency, both 1-based.
    ///
    /// # Errors
    /// [`Error::Validation`] when either is outside the matrix.
    pub fn priority(&self, impact: u8, urgency: u8) -> Result<u8> {
        self.check(impact, urgency)?;
        Ok(self.cells[(impact as usize - 1) * self.urgencies + urgency as usize - 1])
    }

    /// Checks that an impact and an urgency are inside the matrix.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the field that is out of range.
    pub fn check(&self, impact: u8, urgency: u8) -> Result<()> {
        if impact == 0 || impact > self.impacts() {
            let reason = format!("{impact} is not within 1..={}", self.impacts());
            return Err(Error::validation("impact", reason));
        }
        if urgency == 0 || urgency > self.urgencies() {
            let reason = format!("{urgency} is not within 1..={}", self.urgencies());
            return Err(Error::validation("urgency", reason));
        }
        Ok(())
    }

    /// Checks that a priority set by hand is one the matrix knows.
    ///
    /// # Errors
    /// [`Error::Validation`] when it is 0 or lower than the lowest priority.
    pub fn check_priority(&self, priority: u8) -> Result<()> {
        if priority == 0 || priority > self.lowest_priority() {
            let reason = format!("{priority} is not within 1..={}", self.lowest_priority());
            return Err(Error::validation("priority", reason));
        }
        Ok(())
    }

    /// The rows, one per impact.
    pub fn rows(&self) -> Vec<Vec<u8>> {
        self.cells
            .chunks(self.urgencies)
            .map(<[u8]>::to_vec)
            .collect()
    }
}

impl Default for PriorityMatrix {
    /// The ITIL 3x3: (1,1)=1, (1,2)=2, (2,1)=2, (1,3)=3, (2,2)=3, (3,1)=3, (2,3)=4, (3,2)=4,
    /// (3,3)=5.
    fn default() -> Self {
        PriorityMatrix {
            urgencies: 3,
            cells: vec![1, 2, 3, 2, 3, 4, 3, 4, 5],
        }
    }
}

impl TryFrom<Vec<Vec<u8>>> for PriorityMatrix {
    type Error = Error;

    fn try_from(rows: Vec<Vec<u8>>) -> Result<Self> {
        PriorityMatrix::new(rows)
    }
}

impl From<PriorityMatrix> for Vec<Vec<u8>> {
    fn from(matrix: PriorityMatrix) -> Self {
        matrix.rows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itil_default_matches_the_published_table() {
        let m = PriorityMatrix::default();
        let expected = [
            ((1, 1), 1),
            ((1, 2), 2),
            ((2, 1), 2),
            ((1, 3), 3),
            ((2, 2), 3),
            ((3, 1), 3),
            ((2, 3), 4),
            ((3, 2), 4),
            ((3, 3), 5),
        ];
        for ((impact, urgency), priority) in expected {
            assert_eq!(m.priority(impact, urgency).unwrap(), priority);
        }
    }

    #[test]
    fn malformed_matrices_are_refused() {
        assert!(PriorityMatrix::new(vec![]).is_err());
        assert!(PriorityMatrix::new(vec![vec![1, 2], vec![3]]).is_err());
        assert!(PriorityMatrix::new(vec![vec![0]]).is_err());
        let m = PriorityMatrix::new(vec![vec![1, 2, 3, 4], vec![2, 3, 4, 5]]).unwrap();
        assert_eq!((m.impacts(), m.urgencies()), (2, 4));
        assert_eq!(m.priority(2, 4).unwrap(), 5);
        assert!(
            matches!(m.priority(3, 1), Err(Error::Validation { ref field, .. }) if field == "impact")
        );
    }

    #[test]
    fn serde_round_trip_validates() {
        let json = serde_json::to_string(&PriorityMatrix::default()).unwrap();
        assert_eq!(json, "[[1,2,3],[2,3,4],[3,4,5]]");
        let back: PriorityMatrix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, PriorityMatrix::default());
        assert!(serde_json::from_str::<PriorityMatrix>("[[1],[2,3]]").is_err());
    }
}
