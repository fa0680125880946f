//! One export row, typed: the incident's state after one update.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::value::{ExportState, parse_bool, parse_level, parse_timestamp, present};

/// Shared text of a row. Consecutive rows of an incident repeat most values (caller,
/// category, final resolution, ...), so the reader shares one allocation between them: reading
/// allocates only for values that change, and an export held in memory stays small.
pub type Text = Arc<str>;

/// The state of one incident after one update, as one export row records it.
///
/// Fields the export leaves missing (`?`), or whose column the export does not have, are
/// `None`. The `resolved_*`, `closed_*` and `closed_code` columns hold the incident's *final*
/// values on every row (ServiceNow writes the record's current value into each audit row), so
/// they say how the incident ended, not what it looked like at this update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line of the export where this row starts (the header is line 1).
    pub line: u64,
    /// The incident's human number, such as `INC0000045`.
    pub number: Text,
    /// The state after the update.
    pub state: ExportState,
    /// ServiceNow's `active` flag (false once closed).
    pub active: Option<bool>,
    /// Times the incident changed assignment group so far.
    pub reassignment_count: Option<u32>,
    /// Times the incident was reopened so far.
    pub reopen_count: Option<u32>,
    /// ServiceNow's update counter of the record.
    pub sys_mod_count: Option<u32>,
    /// Whether the SLA was met so far.
    pub made_sla: Option<bool>,
    /// The person the incident is for.
    pub caller: Option<Text>,
    /// The person who logged it.
    pub opened_by: Option<Text>,
    /// When it was logged.
    pub opened_at: Option<DateTime<Utc>>,
    /// Who made this update.
    pub updated_by: Option<Text>,
    /// When this update was made: the replay's clock for this row.
    pub updated_at: DateTime<Utc>,
    /// How the incident reached the desk (`Phone`, `Email`, `Self service`, ...).
    pub contact_type: Option<Text>,
    /// Where the caller is.
    pub location: Option<Text>,
    /// Category.
    pub category: Option<Text>,
    /// Subcategory.
    pub subcategory: Option<Text>,
    /// The instance's custom symptom field.
    pub symptom: Option<Text>,
    /// Affected configuration item.
    pub configuration_item: Option<Text>,
    /// Impact rank (1 is highest).
    pub impact: Option<u8>,
    /// Urgency rank (1 is highest).
    pub urgency: Option<u8>,
    /// Priority rank the instance recorded (1 is highest).
    pub priority: Option<u8>,
    /// Assignment group (workgroup) after the update.
    pub assignment_group: Option<Text>,
    /// Assigned analyst after the update.
    pub assigned_to: Option<Text>,
    /// Related problem record.
    pub problem_id: Option<Text>,
    /// Related change (request for change).
    pub rfc: Option<Text>,
    /// Vendor involved.
    pub vendor: Option<Text>,
    /// Change that caused the incident.
    pub caused_by: Option<Text>,
    /// Final resolution code (`code 6`, ...).
    pub closed_code: Option<Text>,
    /// Who resolved it in the end.
    pub resolved_by: Option<Text>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A row the importer could not read, with the line where it starts and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// Line of the export where the row starts (the header is line 1).
    pub line: u64,
    /// What is wrong with it.
    pub reason: UnreadableReason,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Why a row could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnreadableReason {
    /// The row has a different number of fields than the header.
    #[error("{found} fields where the header has {expected}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field is not valid UTF-8.
    #[error("column {column} is not valid UTF-8")]
    NotUtf8 {
        /// The column's header name.
        column: String,
    },
    /// A field the replay cannot do without is missing (`?` or empty).
    #[error("column {column} is missing")]
    Missing {
        /// The column's header name.
        column: String,
    },
    /// A field holds a value the importer cannot interpret (such as the state `-100`).
    #[error("column {column} has value {value:?}, expected {expected}")]
    BadValue {
        /// The column's header name.
        column: String,
        /// The value as found (cut to 80 characters).
        value: String,
        /// What the importer expected instead.
        expected: String,
    },
}

/// The columns the importer knows, by their ServiceNow header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Number,
    State,
    Active,
    ReassignmentCount,
    ReopenCount,
    SysModCount,
    MadeSla,
    Caller,
    OpenedBy,
    OpenedAt,
    UpdatedBy,
    UpdatedAt,
    ContactType,
    Location,
    Category,
    Subcategory,
    Symptom,
    ConfigurationItem,
    Impact,
    Urgency,
    Priority,
    AssignmentGroup,
    AssignedTo,
    ProblemId,
    Rfc,
    Vendor,
    CausedBy,
    ClosedCode,
    ResolvedBy,
    ResolvedAt,
    ClosedAt,
}

impl Column {
    const ALL: [Column; 31] = [
        Column::Number,
        Column::State,
        Column::Active,
        Column::ReassignmentCount,
        Column::ReopenCount,
        Column::SysModCount,
        Column::MadeSla,
        Column::Caller,
        Column::OpenedBy,
        Column::OpenedAt,
        Column::UpdatedBy,
        Column::UpdatedAt,
        Column::ContactType,
        Column::Location,
        Column::Category,
        Column::Subcategory,
        Column::Symptom,
        Column::ConfigurationItem,
        Column::Impact,
        Column::Urgency,
        Column::Priority,
        Column::AssignmentGroup,
        Column::AssignedTo,
        Column::ProblemId,
        Column::Rfc,
        Column::Vendor,
        Column::CausedBy,
        Column::ClosedCode,
        Column::ResolvedBy,
        Column::ResolvedAt,
        Column::ClosedAt,
    ];

    /// The columns without which no row can be replayed.
    pub(crate) const REQUIRED: [Column; 3] = [Column::Number, Column::State, Column::UpdatedAt];

    /// Header names this column goes by (the first is the one ServiceNow exports).
    pub(crate) fn names(self) -> &'static [&'static str] {
        match self {
            Column::Number => &["number"],
            Column::State => &["incident_state", "state"],
            Column::Active => &["active"],
            Column::ReassignmentCount => &["reassignment_count"],
            Column::ReopenCount => &["reopen_count"],
            Column::SysModCount => &["sys_mod_count"],
            Column::MadeSla => &["made_sla"],
            Column::Caller => &["caller_id"],
            Column::OpenedBy => &["opened_by"],
            Column::OpenedAt => &["opened_at"],
            Column::UpdatedBy => &["sys_updated_by"],
            Column::UpdatedAt => &["sys_updated_at"],
            Column::ContactType => &["contact_type"],
            Column::Location => &["location"],
            Column::Category => &["category"],
            Column::Subcategory => &["subcategory"],
            Column::Symptom => &["u_symptom"],
            Column::ConfigurationItem => &["cmdb_ci"],
            Column::Impact => &["impact"],
            Column::Urgency => &["urgency"],
            Column::Priority => &["priority"],
            Column::AssignmentGroup => &["assignment_group"],
            Column::AssignedTo => &["assigned_to"],
            Column::ProblemId => &["problem_id"],
            Column::Rfc => &["rfc"],
            Column::Vendor => &["vendor"],
            Column::CausedBy => &["caused_by"],
            Column::ClosedCode => &["closed_code", "close_code"],
            Column::ResolvedBy => &["resolved_by"],
            Column::ResolvedAt => &["resolved_at"],
            Column::ClosedAt => &["closed_at"],
        }
    }

    fn name(self) -> &'static str {
        self.names()[0]
    }
}

/// Where each known column sits in the export's header.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    index: [Option<usize>; Column::ALL.len()],
    width: usize,
}

impl Columns {
    /// Locates the known columns in a header; returns the missing required column on failure.
    pub(crate) fn from_header<'h>(
        header: impl IntoIterator<Item = &'h str>,
    ) -> Result<Self, &'static str> {
        let mut index = [None; Column::ALL.len()];
        let mut width = 0;
        for (position, name) in header.into_iter().enumerate() {
            width = position + 1;
            let name = name.trim().trim_start_matches('\u{feff}').trim_matches('"');
            for (slot, column) in index.iter_mut().zip(Column::ALL) {
                if slot.is_none() && column.names().iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    *slot = Some(position);
                }
            }
        }

        let columns = Self { index, width };
        match Column::REQUIRED
            .iter()
            .find(|c| columns.position(**c).is_none())
        {
            Some(missing) => Err(missing.name()),
            None => Ok(columns),
        }
    }

    /// Number of fields the header has.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    fn position(&self, column: Column) -> Option<usize> {
        // `Column::ALL` lists the variants in declaration order, so the discriminant is the slot.
        self.index[column as usize]
    }

    /// Reads one record (its fields as raw bytes) into a typed row.
    pub(crate) fn read(
        &self,
        line: u64,
        fields: &csv::ByteRecord,
        recent: &mut RecentValues,
    ) -> Result<ImportRow, Unreadable> {
        let fail = |reason| Unreadable { line, reason };
        if fields.len() != self.width {
            return Err(fail(UnreadableReason::FieldCount {
                expected: self.width,
                found: fields.len(),
            }));
        }
        let mut fields = Fields {
            columns: self,
            fields,
            recent,
        };

        let number = fields.required(Column::Number).map_err(fail)?;
        let number = fields.shared(Column::Number, number);
        let state_text = fields.required(Column::State).map_err(fail)?;
        let state = ExportState::parse(state_text)
            .ok_or_else(|| fail(bad_value(Column::State, state_text, "a ServiceNow state")))?;
        let updated_text = fields.required(Column::UpdatedAt).map_err(fail)?;
        let updated_at = parse_timestamp(updated_text)
            .ok_or_else(|| fail(bad_value(Column::UpdatedAt, updated_text, "d/m/yyyy HH:MM")))?;

        Ok(ImportRow {
            line,
            number,
            state,
            active: fields
                .typed(Column::Active, parse_bool, "true or false")
                .map_err(fail)?,
            reassignment_count: fields.count(Column::ReassignmentCount).map_err(fail)?,
            reopen_count: fields.count(Column::ReopenCount).map_err(fail)?,
            sys_mod_count: fields.count(Column::SysModCount).map_err(fail)?,
            made_sla: fields
                .typed(Column::MadeSla, parse_bool, "true or false")
                .map_err(fail)?,
            caller: fields.text(Column::Caller).map_err(fail)?,
            opened_by: fields.text(Column::OpenedBy).map_err(fail)?,
            opened_at: fields.timestamp(Column::OpenedAt).map_err(fail)?,
            updated_by: fields.text(Column::UpdatedBy).map_err(fail)?,
            updated_at,
            contact_type: fields.text(Column::ContactType).map_err(fail)?,
            location: fields.text(Column::Location).map_err(fail)?,
            category: fields.text(Column::Category).map_err(fail)?,
            subcategory: fields.text(Column::Subcategory).map_err(fail)?,
            symptom: fields.text(Column::Symptom).map_err(fail)?,
            configuration_item: fields.text(Column::ConfigurationItem).map_err(fail)?,
            impact: fields.level(Column::Impact).map_err(fail)?,
            urgency: fields.level(Column::Urgency).map_err(fail)?,
            priority: fields.level(Column::Priority).map_err(fail)?,
            assignment_group: fields.text(Column::AssignmentGroup).map_err(fail)?,
            assigned_to: fields.text(Column::AssignedTo).map_err(fail)?,
            problem_id: fields.text(Column::ProblemId).map_err(fail)?,
            rfc: fields.text(Column::Rfc).map_err(fail)?,
            vendor: fields.text(Column::Vendor).map_err(fail)?,
            caused_by: fields.text(Column::CausedBy).map_err(fail)?,
            closed_code: fields.text(Column::ClosedCode).map_err(fail)?,
            resolved_by: fields.text(Column::ResolvedBy).map_err(fail)?,
            resolved_at: fields.timestamp(Column::ResolvedAt).map_err(fail)?,
            closed_at: fields.timestamp(Column::ClosedAt).map_err(fail)?,
        })
    }
}

/// The last value read in each column, shared with the next row when it repeats.
#[derive(Debug, Default)]
pub(crate) struct RecentValues {
    values: [Option<Text>; Column::ALL.len()],
    /// Timestamps with the text they were parsed from (opened, resolved and closed times
    /// repeat on every row of an incident).
    timestamps: [Option<(Box<str>, DateTime<Utc>)>; Column::ALL.len()],
}

/// A record seen through the header's column positions.
struct Fields<'c, 'r, 'v> {
    columns: &'c Columns,
    fields: &'r csv::ByteRecord,
    recent: &'v mut RecentValues,
}

impl<'r> Fields<'_, 'r, '_> {
    /// The field's text, `None` when the column is absent or the value missing.
    fn raw(&self, column: Column) -> Result<Option<&'r str>, UnreadableReason> {
        let Some(bytes) = self
            .columns
            .position(column)
            .and_then(|at| self.fields.get(at))
        else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes).map_err(|_| UnreadableReason::NotUtf8 {
            column: column.name().to_owned(),
        })?;
        Ok(present(text))
    }

    fn required(&self, column: Column) -> Result<&'r str, UnreadableReason> {
        self.raw(column)?.ok_or_else(|| UnreadableReason::Missing {
            column: column.name().to_owned(),
        })
    }

    fn text(&mut self, column: Column) -> Result<Option<Text>, UnreadableReason> {
        Ok(self.raw(column)?.map(|text| self.shared(column, text)))
    }

    /// The text as shared value: the previous row's allocation when the value repeats.
    fn shared(&mut self, column: Column, text: &str) -> Text {
        let slot = &mut self.recent.values[column as usize];
        match slot {
            Some(recent) if **recent == *text => Arc::clone(recent),
            _ => {
                let value: Text = Arc::from(text);
                *slot = Some(Arc::clone(&value));
                value
            }
        }
    }

    fn typed<T>(
        &self,
        column: Column,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, UnreadableReason> {
        match self.raw(column)? {
            None => Ok(None),
            Some(text) => parse(text)
                .map(Some)
                .ok_or_else(|| bad_value(column, text, expected)),
        }
    }

    fn count(&self, column: Column) -> Result<Option<u32>, UnreadableReason> {
        self.typed(
            column,
            |text| text.parse().ok(),
            "a non-negative whole number",
        )
    }

    fn level(&self, column: Column) -> Result<Option<u8>, UnreadableReason> {
        self.typed(column, parse_level, "a rank such as \"2 - Medium\"")
    }

    fn timestamp(&mut self, column: Column) -> Result<Option<DateTime<Utc>>, UnreadableReason> {
        let Some(text) = self.raw(column)? else {
            return Ok(None);
        };
        let slot = &mut self.recent.timestamps[column as usize];
        if let Some((_, at)) = slot.as_ref().filter(|(recent, _)| **recent == *text) {
            return Ok(Some(*at));
        }

        let at = parse_timestamp(text).ok_or_else(|| bad_value(column, text, "d/m/yyyy HH:MM"))?;
        *slot = Some((Box::from(text), at));
        Ok(Some(at))
    }
}

fn bad_value(column: Column, value: &str, expected: &str) -> UnreadableReason {
    UnreadableReason::BadValue {
        column: column.name().to_owned(),
        value: value.chars().take(80).collect(),
        expected: expected.to_owned(),
    }
}
