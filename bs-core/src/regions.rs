//! The AWS regions that exist: a region name of the right shape that AWS does
//! not have (`us-east-9`) is refused, in the config and in an assembly, before
//! anything reaches AWS.
//!
//! A region AWS opens later is refused until it is added here.

use crate::config::keys::distance;

/// Every region: the commercial partition (`aws`), China (`aws-cn`) and
/// GovCloud (`aws-us-gov`), sorted.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// `name` is a region AWS has.
pub fn exists(name: &str) -> bool {
    REGIONS.contains(&name)
}

/// The regions `name` is probably a misspelling of (`us-east-9` → `us-east-1`,
/// `us-east-2`): those at the smallest edit distance, if it is at most 2. The
/// comparison ignores case (`US-EAST-1`).
pub fn close_to(name: &str) -> Vec<&'static str> {
    let name = name.to_ascii_lowercase();
    let scored: Vec<(usize, &'static str)> =
        REGIONS.iter().map(|r| (distance(&name, r), *r)).collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min().filter(|d| *d <= 2) else {
        return Vec::new();
    };
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, r)| r)
        .collect()
}

/// "did you mean `us-east-1` or `us-east-2`?", or `None` when no region is
/// close to `name`.
pub fn did_you_mean(name: &str) -> Option<String> {
    let close = close_to(name);
    if close.is_empty() {
        return None;
    }
    let listed: Vec<String> = close.iter().map(|r| format!("`{r}`")).collect();
    let listed = match listed.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => listed.concat(),
    };
    Some(format!("did you mean {listed}?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_without_duplicates_and_well_formed() {
        assert!(REGIONS.windows(2).all(|w| w[0] < w[1]), "{REGIONS:?}");
        for r in REGIONS {
            assert!(crate::config::rules::region(r).is_ok(), "{r}");
        }
    }

    #[test]
    fn regions_of_every_partition_exist() {
        for r in ["us-east-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1"] {
            assert!(exists(r), "{r}");
        }
        for r in ["us-east-9", "mars-1", "US-EAST-1", "", "us-east-1 "] {
            assert!(!exists(r), "{r}");
        }
    }

    #[test]
    fn near_misses_name_the_regions_meant() {
        assert_eq!(close_to("us-east-9"), ["us-east-1", "us-east-2"]);
        assert_eq!(close_to("US-EAST-1"), ["us-east-1"]);
        assert_eq!(close_to("eu-westt-1"), ["eu-west-1"]);
        assert_eq!(close_to("us-gov-west"), ["us-gov-west-1"]);
        assert!(close_to("mars-1").is_empty());
        assert!(close_to("europe").is_empty());
        assert_eq!(
            did_you_mean("us-east-9").as_deref(),
            Some("did you mean `us-east-1` or `us-east-2`?")
        );
        assert_eq!(did_you_mean("mars-1"), None);
    }
}
