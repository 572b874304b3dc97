//! SOQL: parser and evaluator for the subset integrations use.
