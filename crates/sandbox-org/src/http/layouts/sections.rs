//! Which fields a new org's page layouts show, section by section, for the standard objects.
//! Other objects get one section of their own fields; every object ends with "System
//! Information". Fields a schema lacks are left out; custom fields the list does not place go
//! to "Additional Information".

/// `(heading, fields in reading order: left, right, left, right…)`.
pub type SectionSpec = (&'static str, &'static [&'static str]);

const SYSTEM: SectionSpec = ("System Information", &["CreatedById", "LastModifiedById"]);

pub fn standard_sections(object: &str) -> Option<Vec<SectionSpec>> {
    let sections: Vec<SectionSpec> = match object {
        "Account" => vec![
            (
                "Account Information",
                &[
                    "OwnerId",
                    "Rating",
                    "Name",
                    "Phone",
                    "ParentId",
                    "Fax",
                    "AccountNumber",
                    "Website",
                    "Site",
                    "TickerSymbol",
                    "Type",
                    "Ownership",
                    "Industry",
                    "NumberOfEmployees",
                    "AnnualRevenue",
                    "Sic",
                ],
            ),
            (
                "Address Information",
                &["BillingAddress", "ShippingAddress"],
            ),
            ("Description Information", &["Description"]),
        ],
        "Contact" => vec![
            (
                "Contact Information",
                &[
                    "OwnerId",
                    "Phone",
                    "Name",
                    "HomePhone",
                    "AccountId",
                    "MobilePhone",
                    "Title",
                    "OtherPhone",
                    "Department",
                    "Fax",
                    "Birthdate",
                    "Email",
                    "ReportsToId",
                    "AssistantName",
                    "LeadSource",
                    "AssistantPhone",
                ],
            ),
            ("Address Information", &["MailingAddress", "OtherAddress"]),
            ("Description Information", &["Description"]),
        ],
        "Opportunity" => vec![
            (
                "Opportunity Information",
                &[
                    "OwnerId",
                    "Amount",
                    "Name",
                    "ExpectedRevenue",
                    "AccountId",
                    "CloseDate",
                    "Type",
                    "NextStep",
                    "LeadSource",
                    "StageName",
                    "CampaignId",
                    "Probability",
                ],
            ),
            ("Description Information", &["Description"]),
        ],
        "Lead" => vec![
            (
                "Lead Information",
                &[
                    "OwnerId",
                    "Phone",
                    "Name",
                    "MobilePhone",
                    "Company",
                    "Fax",
                    "Title",
                    "Email",
                    "LeadSource",
                    "Website",
                    "Industry",
                    "Status",
                    "AnnualRevenue",
                    "Rating",
                    "NumberOfEmployees",
                ],
            ),
            ("Address Information", &["Address"]),
            ("Description Information", &["Description"]),
        ],
        "Case" => vec![
            (
                "Case Information",
                &[
                    "OwnerId",
                    "Status",
                    "CaseNumber",
                    "Priority",
                    "ContactId",
                    "Origin",
                    "AccountId",
                    "Type",
                    "Reason",
                ],
            ),
            ("Description Information", &["Subject", "Description"]),
        ],
        _ => return None,
    };
    Some(sections)
}

pub fn system_section() -> SectionSpec {
    SYSTEM
}

/// Related lists a new org's layouts show: `(child relationship name, child columns)`.
pub fn standard_related_lists(object: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match object {
        "Account" => &[
            ("Contacts", &["Name", "Title", "Email", "Phone"]),
            (
                "Opportunities",
                &["Name", "StageName", "Amount", "CloseDate"],
            ),
            (
                "Cases",
                &["CaseNumber", "Subject", "Priority", "CreatedDate"],
            ),
        ],
        "Contact" => &[
            (
                "Cases",
                &["CaseNumber", "Subject", "Priority", "CreatedDate"],
            ),
            (
                "OpportunityContactRoles",
                &["OpportunityId", "Role", "IsPrimary"],
            ),
        ],
        "Opportunity" => &[(
            "OpportunityContactRoles",
            &["ContactId", "Role", "IsPrimary"],
        )],
        _ => &[],
    }
}
