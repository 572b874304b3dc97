//! The order rows of a sheet are loaded in when they are one another's parents (accounts
//! naming their parent account): parents first, then their children in further passes. Rows
//! that name each other in a cycle cannot be created in any order, and are refused by name.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// Which pass loads each row, and the rows refused for a cycle with why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Order {
    /// Rows loaded after the first pass, by pass; every other row goes in pass 0.
    levels: HashMap<u64, u32>,
    /// Rows in a cycle of parents → the rows of their cycle, in the order they name each other.
    pub cycles: HashMap<u64, Vec<u64>>,
    /// How many passes the rows need (at least one).
    pub passes: u32,
}

impl Order {
    pub fn pass_of(&self, row: u64) -> u32 {
        self.levels.get(&row).copied().unwrap_or(0)
    }

    /// Orders rows by `parents` (a row → the rows of the sheet it names as parents).
    pub fn new(parents: &HashMap<u64, BTreeSet<u64>>) -> Order {
        let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut waiting: HashMap<u64, usize> = HashMap::new();
        for (&row, named) in parents {
            waiting.insert(row, named.len());
            for &parent in named {
                children.entry(parent).or_default().push(row);
            }
        }
        // Rows whose parents are all placed are placed one pass after the last of them.
        let mut levels: HashMap<u64, u32> = HashMap::new();
        let mut ready: VecDeque<u64> = children
            .keys()
            .filter(|row| waiting.get(row).is_none_or(|n| *n == 0))
            .copied()
            .collect();
        while let Some(row) = ready.pop_front() {
            let level = levels.get(&row).copied().unwrap_or(0);
            for &child in children.get(&row).map_or(&[][..], Vec::as_slice) {
                let slot = levels.entry(child).or_insert(0);
                *slot = (*slot).max(level + 1);
                if let Some(n) = waiting.get_mut(&child) {
                    *n -= 1;
                    if *n == 0 {
                        ready.push_back(child);
                    }
                }
            }
        }
        let unplaced: BTreeSet<u64> = waiting
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(row, _)| *row)
            .collect();
        let mut cycles = HashMap::new();
        let mut walked: HashSet<u64> = HashSet::new();
        for &start in &unplaced {
            // Every unplaced row names an unplaced parent, so walking up always meets a
            // cycle: either a new one, or one already walked.
            let mut path: Vec<u64> = Vec::new();
            let mut at: HashMap<u64, usize> = HashMap::new();
            let mut row = start;
            while !walked.contains(&row) {
                if let Some(&i) = at.get(&row) {
                    let cycle = path[i..].to_vec();
                    for &member in &cycle {
                        cycles.insert(member, cycle.clone());
                    }
                    break;
                }
                at.insert(row, path.len());
                path.push(row);
                match parents
                    .get(&row)
                    .and_then(|named| named.iter().find(|p| unplaced.contains(p)))
                {
                    Some(&parent) => row = parent,
                    None => break,
                }
            }
            walked.extend(path);
        }
        // Rows in a cycle are refused; rows below them go in a last pass, where they find
        // their parent was not imported.
        let mut passes = levels.values().max().map_or(1, |l| l + 1);
        if unplaced.iter().any(|row| !cycles.contains_key(row)) {
            passes += 1;
        }
        for &row in &unplaced {
            let level = if cycles.contains_key(&row) {
                0
            } else {
                passes - 1
            };
            levels.insert(row, level);
        }
        levels.retain(|_, level| *level > 0);
        Order {
            levels,
            cycles,
            passes,
        }
    }
}

/// `2`, `2 and 3`, `2, 3 and 7`.
pub fn rows_list(rows: &[u64]) -> String {
    match rows {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u64::to_string).collect();
            format!("{} and {last}", rest.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(pairs: &[(u64, &[u64])]) -> Order {
        Order::new(
            &pairs
                .iter()
                .map(|(row, parents)| (*row, parents.iter().copied().collect()))
                .collect(),
        )
    }

    #[test]
    fn parents_come_a_pass_before_their_children() {
        // 2 → 3 → 4; 6 → 4; 5 names no row.
        let order = order(&[(2, &[3]), (3, &[4]), (6, &[4])]);
        assert_eq!([2, 3, 4, 5, 6].map(|r| order.pass_of(r)), [2, 1, 0, 0, 1]);
        assert_eq!(order.passes, 3);
        assert!(order.cycles.is_empty());
    }

    #[test]
    fn rows_naming_each_other_are_a_cycle_and_their_children_wait_for_them() {
        let order = order(&[(2, &[3]), (3, &[2]), (4, &[2]), (5, &[5]), (6, &[])]);
        assert_eq!(order.cycles[&2], vec![2, 3]);
        assert_eq!(order.cycles[&3], vec![2, 3]);
        assert_eq!(order.cycles[&5], vec![5]);
        assert!(!order.cycles.contains_key(&4));
        assert_eq!(order.pass_of(4), order.passes - 1);
        assert!(order.pass_of(4) > 0);
    }

    #[test]
    fn lists_of_rows_read_as_a_sentence() {
        assert_eq!(rows_list(&[2]), "2");
        assert_eq!(rows_list(&[2, 3]), "2 and 3");
        assert_eq!(rows_list(&[2, 3, 7]), "2, 3 and 7");
    }
}
