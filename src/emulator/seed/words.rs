//! Word lists the demo data is drawn from. Places are real cities with plausible postal
//! codes; companies, people and streets are invented, and every domain is under
//! `example.com`.

pub const COMPANY_STEMS: &[&str] = &[
    "Acme", "Northwind", "Bluebird", "Cedar Ridge", "Summit", "Ironwood", "Harborview", "Pinecrest",
    "Redstone", "Silverline", "Brightwater", "Copperfield", "Evergreen", "Falcon", "Granite Peak",
    "Highland", "Keystone", "Lakeshore", "Maple Leaf", "Meridian", "Oakmont", "Pioneer", "Quarry Hill",
    "Riverbend", "Sagebrush", "Stonegate", "Tidewater", "Trailhead", "Valley Forge", "Westfield",
    "Willow Creek", "Yellowstone", "Beacon", "Clearwater", "Driftwood", "Foxglove", "Golden Gate",
    "Hearthstone", "Juniper", "Kingfisher", "Lighthouse", "Moonstone", "Nightingale", "Orchard",
    "Prairie", "Rosewood", "Sandpiper", "Thornbury", "Upland", "Vantage",
];

pub const COMPANY_KINDS: &[&str] = &[
    "Heating & Air", "Plumbing", "Electric", "Home Services", "Roofing", "Builders", "Logistics",
    "Foods", "Health", "Dental Group", "Energy", "Analytics", "Systems", "Manufacturing", "Partners",
    "Hospitality", "Outfitters", "Labs", "Consulting", "Media",
];

pub const COMPANY_SUFFIXES: &[&str] = &["Inc.", "LLC", "Co.", "Group", "Corp.", "Ltd."];

/// City, state, postal code prefix (two more digits are drawn), area code.
pub const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Austin", "TX", "787", "512"),
    ("Denver", "CO", "802", "303"),
    ("Portland", "OR", "972", "503"),
    ("Seattle", "WA", "981", "206"),
    ("Phoenix", "AZ", "850", "602"),
    ("Atlanta", "GA", "303", "404"),
    ("Chicago", "IL", "606", "312"),
    ("Columbus", "OH", "432", "614"),
    ("Nashville", "TN", "372", "615"),
    ("Raleigh", "NC", "276", "919"),
    ("Boston", "MA", "021", "617"),
    ("Minneapolis", "MN", "554", "612"),
    ("Salt Lake City", "UT", "841", "801"),
    ("San Diego", "CA", "921", "619"),
    ("Sacramento", "CA", "958", "916"),
    ("Tampa", "FL", "336", "813"),
    ("Kansas City", "MO", "641", "816"),
    ("Pittsburgh", "PA", "152", "412"),
    ("Richmond", "VA", "232", "804"),
    ("Madison", "WI", "537", "608"),
];

pub const STREET_NAMES: &[&str] = &[
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset",
    "River", "Highland", "Church", "Market", "Spring", "Ridge", "Meadow", "Forest", "Mill",
];

pub const STREET_KINDS: &[&str] = &["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Ct"];

pub const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Levi", "Evelyn", "Ethan", "Abigail", "Daniel",
    "Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Sofia", "Diego", "Chloe", "Kwame",
    "Aisha", "Jonas", "Ingrid", "Rafael", "Nadia", "Tomas", "Leah", "Samuel", "Grace", "Victor",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Lewis",
    "Robinson", "Walker", "Nguyen", "Patel", "Kim", "Okafor", "Schmidt", "Rossi", "Novak", "Haddad",
    "Larsen", "Costa",
];

pub const TITLES: &[(&str, &str)] = &[
    ("Chief Executive Officer", "Executive"),
    ("Chief Financial Officer", "Finance"),
    ("VP of Operations", "Operations"),
    ("Operations Manager", "Operations"),
    ("Office Manager", "Administration"),
    ("Purchasing Manager", "Procurement"),
    ("Facilities Director", "Facilities"),
    ("Service Manager", "Service"),
    ("Controller", "Finance"),
    ("IT Director", "Information Technology"),
    ("Marketing Director", "Marketing"),
    ("Project Coordinator", "Operations"),
];

pub const PRODUCTS: &[&str] = &[
    "Service Agreement", "HVAC Replacement", "Annual Maintenance Plan", "Water Heater Upgrade",
    "Duct Cleaning", "Smart Thermostat Rollout", "Electrical Panel Upgrade", "Roof Inspection Program",
    "Fleet Expansion", "Preventive Maintenance", "Energy Audit", "Warranty Extension",
];

pub const NEXT_STEPS: &[&str] = &[
    "Send revised quote",
    "Schedule site visit",
    "Follow up with decision maker",
    "Prepare contract",
    "Demo for operations team",
    "Confirm budget",
];

pub const LEAD_ACTIONS: &[(&str, &str)] = &[
    ("A", "Call within 24 hours"),
    ("B", "Call this week"),
    ("C", "Add to nurture sequence"),
    ("D", "Monitor; no outreach"),
];

pub const SCORE_FACTORS: &[&str] = &[
    "recent website visits",
    "requested a quote",
    "company size fits the ideal customer profile",
    "industry converts above average",
    "opened the last three emails",
    "referred by an existing customer",
    "no engagement in 60 days",
    "outside the service area",
];
