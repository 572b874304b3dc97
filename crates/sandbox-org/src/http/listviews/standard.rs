//! The list views a new org has for its standard objects.

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope {
    Everything,
    Mine,
}

/// One standard list view, as a new org defines it.
pub struct ViewDef {
    pub developer_name: &'static str,
    pub label: &'static str,
    pub scope: Scope,
    /// `(field, operator, SOQL value)`: one condition, as the standard views have.
    pub filter: Option<(&'static str, &'static str, &'static str)>,
    pub columns: &'static [&'static str],
}

const ACCOUNT_COLUMNS: &[&str] = &[
    "Name",
    "Site",
    "BillingState",
    "Phone",
    "Type",
    "Owner.Alias",
];
const CONTACT_COLUMNS: &[&str] = &[
    "Name",
    "Account.Name",
    "Title",
    "Phone",
    "Email",
    "Owner.Alias",
];
const OPPORTUNITY_COLUMNS: &[&str] = &[
    "Name",
    "Account.Name",
    "Amount",
    "CloseDate",
    "StageName",
    "Owner.Alias",
];
const LEAD_COLUMNS: &[&str] = &[
    "Name",
    "Company",
    "State",
    "Email",
    "Status",
    "CreatedDate",
    "Owner.Alias",
];
const CASE_COLUMNS: &[&str] = &[
    "CaseNumber",
    "Contact.Name",
    "Subject",
    "Status",
    "Priority",
    "CreatedDate",
    "Owner.Alias",
];

const fn view(
    developer_name: &'static str,
    label: &'static str,
    scope: Scope,
    filter: Option<(&'static str, &'static str, &'static str)>,
    columns: &'static [&'static str],
) -> ViewDef {
    ViewDef {
        developer_name,
        label,
        scope,
        filter,
        columns,
    }
}

pub fn standard_views(object: &str) -> Vec<ViewDef> {
    use Scope::{Everything, Mine};
    let new_this_week = Some(("CreatedDate", "=", "THIS_WEEK"));
    match object {
        "Account" => vec![
            view(
                "AllAccounts",
                "All Accounts",
                Everything,
                None,
                ACCOUNT_COLUMNS,
            ),
            view("MyAccounts", "My Accounts", Mine, None, ACCOUNT_COLUMNS),
            view(
                "NewThisWeek",
                "New This Week",
                Everything,
                new_this_week,
                ACCOUNT_COLUMNS,
            ),
        ],
        "Contact" => vec![
            view(
                "AllContacts",
                "All Contacts",
                Everything,
                None,
                CONTACT_COLUMNS,
            ),
            view("MyContacts", "My Contacts", Mine, None, CONTACT_COLUMNS),
            view(
                "NewThisWeek",
                "New This Week",
                Everything,
                new_this_week,
                CONTACT_COLUMNS,
            ),
        ],
        "Opportunity" => vec![
            view(
                "AllOpportunities",
                "All Opportunities",
                Everything,
                None,
                OPPORTUNITY_COLUMNS,
            ),
            view(
                "MyOpportunities",
                "My Opportunities",
                Mine,
                None,
                OPPORTUNITY_COLUMNS,
            ),
            view(
                "ClosingNextMonth",
                "Closing Next Month",
                Everything,
                Some(("CloseDate", "=", "NEXT_MONTH")),
                OPPORTUNITY_COLUMNS,
            ),
            view(
                "ClosingThisMonth",
                "Closing This Month",
                Everything,
                Some(("CloseDate", "=", "THIS_MONTH")),
                OPPORTUNITY_COLUMNS,
            ),
            view(
                "NewThisWeek",
                "New This Week",
                Everything,
                new_this_week,
                OPPORTUNITY_COLUMNS,
            ),
            view(
                "Won",
                "Won",
                Everything,
                Some(("IsWon", "=", "true")),
                OPPORTUNITY_COLUMNS,
            ),
        ],
        "Lead" => vec![
            view(
                "AllOpenLeads",
                "All Open Leads",
                Everything,
                Some(("IsConverted", "=", "false")),
                LEAD_COLUMNS,
            ),
            view(
                "MyUnreadLeads",
                "My Unread Leads",
                Mine,
                Some(("IsUnreadByOwner", "=", "true")),
                LEAD_COLUMNS,
            ),
            view(
                "TodaysLeads",
                "Today's Leads",
                Everything,
                Some(("CreatedDate", "=", "TODAY")),
                LEAD_COLUMNS,
            ),
        ],
        "Case" => vec![
            view(
                "AllOpenCases",
                "All Open Cases",
                Everything,
                Some(("IsClosed", "=", "false")),
                CASE_COLUMNS,
            ),
            view("MyCases", "My Cases", Mine, None, CASE_COLUMNS),
        ],
        _ => vec![view("All", "All", Everything, None, &[])],
    }
}
