//! One meaning for each direction arrow, wherever a link or a pair is shown (the window's
//! studio, cards, toasts, History, Settings and palette; the service's notices).
//!
//! Salesforce is always drawn on the left and the local table on the right, so the arrow
//! points the way data moves on screen: pull is →, push is ←, both is ⇄. An arrow never
//! stands alone: its word (Pull, Push, Both) goes beside it.

use super::link::{Direction, Link, LocalSource};

/// The arrow for a direction, Salesforce on the left and local on the right.
pub fn arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::Pull => "→",
        Direction::Push => "←",
        Direction::Both => "⇄",
    }
}

/// The word that goes beside the arrow.
pub fn word(direction: Direction) -> &'static str {
    match direction {
        Direction::Pull => "Pull",
        Direction::Push => "Push",
        Direction::Both => "Both",
    }
}

/// What the direction does, in a sentence for a tooltip.
pub fn meaning(direction: Direction) -> &'static str {
    match direction {
        Direction::Pull => "Pull: Salesforce fills the local column",
        Direction::Push => "Push: the local column fills Salesforce",
        Direction::Both => "Both: changes on either side reach the other",
    }
}

/// "→ Pull": the arrow with its word.
pub fn labelled(direction: Direction) -> String {
    format!("{} {}", arrow(direction), word(direction))
}

/// The way a whole link moves data: Pull when every pair pulls, Push when every pair pushes,
/// Both otherwise (and for a link with no pairs yet).
pub fn of_link(link: &Link) -> Direction {
    let pulls = link.fields.iter().any(|f| f.direction != Direction::Push);
    let pushes = link.fields.iter().any(|f| f.direction != Direction::Pull);
    match (pulls, pushes) {
        (true, false) => Direction::Pull,
        (false, true) => Direction::Push,
        _ => Direction::Both,
    }
}

/// "Account → accounts": the object, the link's arrow, the local table.
pub fn title(link: &Link) -> String {
    format!("{} {} {}", link.object, arrow(of_link(link)), link.table)
}

/// "Account ⇄ customers (Both)": the title with its word, where a link is named in a list.
pub fn title_with_word(link: &Link) -> String {
    format!("{} ({})", title(link), word(of_link(link)))
}

/// The direction a new pair starts with, from auto-match or a drop: Pull (the user opts into
/// push), except an expression, which can only push, and a pair added to a link whose pairs
/// all push already.
pub fn new_pair(link: &Link, local: &LocalSource, read_only: bool) -> Direction {
    if matches!(local, LocalSource::Expression(_)) {
        return Direction::Push;
    }
    if read_only {
        return Direction::Pull;
    }
    let all_push =
        !link.fields.is_empty() && link.fields.iter().all(|f| f.direction == Direction::Push);
    if all_push {
        Direction::Push
    } else {
        Direction::Pull
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::FieldMapping;

    fn link(directions: &[Direction]) -> Link {
        let mut l = crate::sync::templates::lead_scores_link("Acme", 7);
        l.object = "Account".into();
        l.table = "accounts".into();
        l.fields = directions
            .iter()
            .enumerate()
            .map(|(i, d)| FieldMapping::column(&format!("c{i}"), &format!("F{i}"), *d))
            .collect();
        l
    }

    #[test]
    fn the_arrow_points_from_salesforce_on_the_left_to_local_on_the_right() {
        assert_eq!(title(&link(&[Direction::Pull])), "Account → accounts");
        assert_eq!(title(&link(&[Direction::Push])), "Account ← accounts");
        assert_eq!(
            title_with_word(&link(&[Direction::Pull, Direction::Push])),
            "Account ⇄ accounts (Both)"
        );
        assert_eq!(labelled(Direction::Pull), "→ Pull");
    }

    #[test]
    fn a_new_pair_pulls_unless_an_expression_or_joining_an_all_push_link() {
        let column = LocalSource::Column("x".into());
        let expression = LocalSource::Expression("1".into());
        assert_eq!(new_pair(&link(&[]), &column, false), Direction::Pull);
        assert_eq!(
            new_pair(&link(&[Direction::Both]), &column, false),
            Direction::Pull
        );
        assert_eq!(
            new_pair(&link(&[Direction::Push, Direction::Push]), &column, false),
            Direction::Push
        );
        assert_eq!(
            new_pair(&link(&[Direction::Push]), &column, true),
            Direction::Pull
        );
        assert_eq!(new_pair(&link(&[]), &expression, false), Direction::Push);
    }
}
