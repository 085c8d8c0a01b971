//! The report for people: a compact table, coloured unless NO_COLOR.

use crate::report::*;
use std::fmt::Write;

pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn health(&self, h: Health) -> String {
        let code = match h {
            Health::Healthy => "32",
            Health::InProgress => "33",
            Health::Unhealthy | Health::Missing => "31",
            Health::Unknown => "35",
        };
        self.paint(code, h.as_str())
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// `repo@sha256:0123456789ab…` for a digest reference, unchanged otherwise.
fn short_image(image: &str) -> String {
    match image.split_once("@sha256:") {
        Some((name, digest)) if digest.len() > 12 => {
            let repo = name.rsplit('/').next().unwrap_or(name);
            format!("{repo}@sha256:{}…", &digest[..12])
        }
        _ => image.rsplit('/').next().unwrap_or(image).to_string(),
    }
}

/// `2026-11-27T18:46:51.723881Z` → `2026-11-27T18:46:51Z`.
fn to_seconds(t: &str) -> String {
    match t.split_once('.') {
        Some((whole, _)) if t.ends_with('Z') => format!("{whole}Z"),
        _ => t.to_string(),
    }
}

pub fn render(r: &Report, style: &Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}  {}  {}",
        style.bold(&r.stack_name),
        style.dim(&format!("account {} · {}", r.account, r.region)),
        style.health(r.health)
    );
    let _ = writeln!(o, "\n{}", style.bold("STACKS"));
    for s in &r.stacks {
        let _ = writeln!(
            o,
            "  {:<28} {:<26} {:<21} {}",
            s.name,
            s.status.as_deref().unwrap_or("not deployed"),
            s.last_changed.as_deref().map_or("-".into(), to_seconds),
            style.health(s.health)
        );
        if let Some(reason) = s.reason.as_deref().filter(|_| s.health != Health::Healthy) {
            let _ = writeln!(o, "    {}", style.dim(reason));
        }
        for f in &s.failures {
            let _ = writeln!(
                o,
                "    ✗ {} ({}) {}: {}",
                f.logical_id, f.resource_type, f.status, f.reason
            );
        }
    }
    let _ = writeln!(o, "\n{}", style.bold("PIPELINES"));
    for p in &r.pipelines {
        let stages: Vec<String> = p
            .stages
            .iter()
            .map(|s| {
                let mark = match s.status.as_str() {
                    "Succeeded" => "✓",
                    "Failed" | "Stopped" | "Cancelled" => "✗",
                    "InProgress" => "…",
                    _ => "·",
                };
                format!("{}{mark}", s.name)
            })
            .collect();
        let _ = writeln!(
            o,
            "  {:<28} {:<6} {}  {}",
            p.name,
            p.kind,
            if p.exists {
                stages.join(" ")
            } else {
                "not deployed".into()
            },
            style.health(p.health)
        );
        if let Some(x) = &p.execution {
            let sources: Vec<String> = x
                .sources
                .iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        s.action,
                        s.revision.chars().take(7).collect::<String>()
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "    last run {} {} {}",
                x.status,
                x.started.as_deref().unwrap_or(""),
                style.dim(&sources.join(", "))
            );
        }
        for a in &p.approvals {
            let _ = writeln!(
                o,
                "    {} {} waits for approval since {} (bs-promote --approve)",
                style.paint("33", "⏸"),
                a.stage,
                a.since.as_deref().unwrap_or("?")
            );
        }
    }
    let _ = writeln!(o, "\n{}", style.bold("STAGES"));
    for s in &r.stages {
        let _ = writeln!(
            o,
            "  {:<12} {:<44} {}",
            s.name,
            s.url,
            style.health(s.health)
        );
        let image = match (&s.image.requested, &s.image.running) {
            (None, _) => "none promoted yet".to_string(),
            (Some(_), Some(running)) => short_image(running),
            (Some(_), None) => "unknown".to_string(),
        };
        let mut line = format!("    image {image}");
        if let Some(tag) = s.image.tag.as_ref().filter(|_| s.image.requested.is_some()) {
            let _ = write!(line, " ({tag})");
        }
        if let Some(svc) = &s.service {
            let _ = write!(
                line,
                "  rev {}  tasks {}/{}",
                svc.revision.map_or("?".into(), |r| r.to_string()),
                svc.running,
                svc.desired
            );
            if svc.pending > 0 {
                let _ = write!(line, " ({} pending)", svc.pending);
            }
            if !svc.rollout.state.is_empty() {
                let _ = write!(
                    line,
                    "  rollout {}",
                    svc.rollout.state.to_lowercase().replace('_', " ")
                );
            }
        } else {
            line.push_str("  no service");
        }
        let _ = writeln!(o, "{line}");
        let mut line = String::from("   ");
        if let Some(t) = s.targets {
            let _ = write!(line, " targets {} healthy", t.healthy);
            for (n, what) in [
                (t.unhealthy, "unhealthy"),
                (t.initial, "initial"),
                (t.draining, "draining"),
                (t.other, "other"),
            ] {
                if n > 0 {
                    let _ = write!(line, " {n} {what}");
                }
            }
            line.push(' ');
        }
        if let Some(d) = &s.dns {
            let _ = write!(
                line,
                " dns {} ",
                match (d.exists, d.points_to_load_balancer) {
                    (true, true) => "ok",
                    (true, false) => "elsewhere",
                    (false, _) => "missing",
                }
            );
        }
        if let Some(db) = &s.database {
            let _ = write!(
                line,
                " database {}",
                db.status.as_deref().unwrap_or("not found")
            );
        }
        if line.trim().is_empty() {
            line.push_str(" not deployed");
        }
        let _ = writeln!(o, "{}", line.trim_end());
        for p in &s.problems {
            let _ = writeln!(o, "    {} {p}", style.paint("31", "!"));
        }
    }
    for e in &r.errors {
        let _ = writeln!(o, "\n{} {e}", style.paint("35", "could not ask:"));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_shortened() {
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            short_image(&format!("1.dkr.ecr.x.amazonaws.com/backstage@{d}")),
            "backstage@sha256:0123456789ab…"
        );
        assert_eq!(
            short_image("1.dkr.ecr.x.amazonaws.com/backstage:v1"),
            "backstage:v1"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let r = Report {
            schema: SCHEMA.into(),
            stack_name: "backstage".into(),
            account: "1".into(),
            region: "eu-west-1".into(),
            health: Health::Missing,
            stacks: vec![],
            pipelines: vec![],
            stages: vec![],
            errors: vec![],
        };
        assert!(!render(&r, &Style { colour: false }).contains('\x1b'));
        assert!(render(&r, &Style { colour: true }).contains("\x1b[31mmissing"));
    }
}
