//! Asking AWS: every independent call at once, the ones that need an earlier
//! answer (a task definition after its service, a digest after its image) right
//! after it. Every failure is kept in the report, never a crash.

use crate::concurrent::{all, both};
use crate::health;
use crate::report::*;
use bs_aws::deploy::stack::{self, Current};
use bs_aws::image::{self, ImageRef};
use bs_aws::pipeline::{self, PipelineState};
use bs_aws::service::{self, ServiceState};
use bs_aws::{error, Error};
use bs_core::config::{Config, Stage};
use bs_core::names::{self, stack_keys};
use std::collections::BTreeMap;

/// The clients of the config's region.
#[derive(Clone, Debug)]
pub struct Clients {
    pub base: bs_aws::sdk::Clients,
    pub ecs: aws_sdk_ecs::Client,
    pub codepipeline: aws_sdk_codepipeline::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub rds: aws_sdk_rds::Client,
}

impl Clients {
    pub fn new(sdk: &bs_aws::sdk::SdkConfig) -> Clients {
        Clients {
            base: bs_aws::sdk::Clients::new(sdk),
            ecs: bs_aws::client!(aws_sdk_ecs, sdk),
            codepipeline: bs_aws::client!(aws_sdk_codepipeline, sdk),
            elbv2: bs_aws::client!(aws_sdk_elasticloadbalancingv2, sdk),
            rds: bs_aws::client!(aws_sdk_rds, sdk),
        }
    }
}

/// What to look at.
pub struct Scope<'a> {
    pub config: &'a Config,
    /// The stages to report, in config order.
    pub stages: Vec<&'a Stage>,
    /// Make the calls one after another (benchmark comparison only).
    pub sequential: bool,
}

/// A stack, its latest failures, and its resources' physical ids.
struct StackFacts {
    current: Option<Current>,
    failures: Vec<bs_aws::deploy::follow::Failure>,
    resources: BTreeMap<String, String>,
}

/// Reads everything and judges it.
pub async fn report(clients: &Clients, scope: &Scope<'_>) -> Report {
    let c = scope.config;
    let seq = scope.sequential;
    let mut errors: Vec<String> = Vec::new();
    let service_names: Vec<String> = scope
        .stages
        .iter()
        .map(|s| names::service(&c.stack_name, &s.name))
        .collect();
    let app_stack = c.stack_name.clone();
    let pipeline_stack = c.pipeline_stack_name();
    let bootstrap_stack = names::bootstrap_stack(&c.stack_name);

    // Everything that needs nothing but the config, at once.
    let ((stacks, pipelines), (services, dns)) = both(
        seq,
        both(
            seq,
            both(
                seq,
                both(
                    seq,
                    stack_facts(clients, &bootstrap_stack, false, seq),
                    stack_facts(clients, &pipeline_stack, false, seq),
                ),
                stack_facts(clients, &app_stack, true, seq),
            ),
            both(
                seq,
                pipeline::state(&clients.codepipeline, &names::infra_pipeline(&c.stack_name)),
                pipeline::state(&clients.codepipeline, &names::app_pipeline(&c.stack_name)),
            ),
        ),
        both(
            seq,
            service::describe(&clients.ecs, &names::cluster(&c.stack_name), &service_names),
            all(
                seq,
                scope
                    .stages
                    .iter()
                    .map(|s| dns_record(clients, s))
                    .collect(),
            ),
        ),
    )
    .await;

    let ((bootstrap_facts, pipeline_facts), app_facts) = stacks;
    let mut stack_reports = Vec::new();
    for (facts, role, name) in [
        (&bootstrap_facts, "bootstrap", &bootstrap_stack),
        (&pipeline_facts, "pipeline", &pipeline_stack),
        (&app_facts, "backstage", &app_stack),
    ] {
        stack_reports.push(match facts {
            Ok(f) => StackReport {
                name: name.clone(),
                role: role.into(),
                health: health::stack(f.current.as_ref().map(|s| s.status.as_str())),
                status: f.current.as_ref().map(|s| s.status.clone()),
                last_changed: f.current.as_ref().and_then(|s| s.changed.clone()),
                reason: f.current.as_ref().and_then(|s| s.reason.clone()),
                failures: f.failures.clone(),
            },
            Err(e) => {
                errors.push(e.to_string());
                StackReport::unknown(name, role)
            }
        });
    }

    let mut pipeline_reports = Vec::new();
    for (state, (kind, name)) in [pipelines.0, pipelines.1].into_iter().zip([
        ("infra", names::infra_pipeline(&c.stack_name)),
        ("app", names::app_pipeline(&c.stack_name)),
    ]) {
        pipeline_reports.push(pipeline_report(kind, &name, state, &mut errors));
    }

    // Per stage, what needs the first answers.
    let app = app_facts.as_ref().ok();
    let stack_status = app
        .and_then(|f| f.current.as_ref())
        .map(|s| s.status.clone());
    let service_known = services.is_ok();
    let services: Vec<Option<ServiceState>> = match services {
        Ok(s) => s,
        Err(e) => {
            errors.push(e.to_string());
            scope.stages.iter().map(|_| None).collect()
        }
    };
    let details = all(
        seq,
        scope
            .stages
            .iter()
            .zip(&services)
            .map(|(stage, svc)| stage_details(clients, c, stage, svc.as_ref(), app, seq))
            .collect(),
    )
    .await;

    let mut stage_reports = Vec::new();
    for (((stage, svc), dns), details) in scope.stages.iter().zip(services).zip(dns).zip(details) {
        let mut stage_errors = details.errors;
        let dns = match dns {
            Ok(found) => found.map(|(zone, record)| {
                let lb = app.and_then(|f| f.current.as_ref()).and_then(|s| {
                    s.outputs
                        .get(&stack_keys::load_balancer_dns_output(&stage.id))
                });
                DnsReport {
                    name: stage.fqdn(),
                    hosted_zone: Some(zone),
                    exists: record.is_some(),
                    points_to_load_balancer: match (&record, lb) {
                        (Some(Some(target)), Some(lb)) => health::same_dns_name(target, lb),
                        _ => false,
                    },
                    target: record.flatten(),
                }
            }),
            Err(e) => {
                stage_errors.push(e.to_string());
                None
            }
        };
        let mut report = StageReport {
            name: stage.name.clone(),
            url: stage.url(),
            health: Health::Unknown,
            problems: vec![],
            service: svc.map(service_report),
            image: details.image,
            targets: details.targets,
            dns,
            database: details.database,
        };
        if app.is_some() {
            health::judge_stage(&mut report, stack_status.as_deref());
        }
        if !stage_errors.is_empty() || !service_known || app.is_none() {
            report.health = Health::Unknown;
            report
                .problems
                .push("could not ask AWS about all of it (see errors)".into());
        }
        errors.extend(stage_errors);
        stage_reports.push(report);
    }

    let mut report = Report {
        schema: SCHEMA.into(),
        stack_name: c.stack_name.clone(),
        account: c.account.clone(),
        region: c.region.clone(),
        health: Health::Unknown,
        stacks: stack_reports,
        pipelines: pipeline_reports,
        stages: stage_reports,
        errors,
    };
    report.health = report.overall();
    report
}

/// The report when AWS cannot be asked at all (sts:GetCallerIdentity, which
/// needs no permission, failed): every part unknown and the one reason in
/// `errors`. No other call is made; each would fail the same way, after its
/// own retries or timeout.
pub fn unreachable(scope: &Scope<'_>, error: String) -> Report {
    let c = scope.config;
    Report {
        schema: SCHEMA.into(),
        stack_name: c.stack_name.clone(),
        account: c.account.clone(),
        region: c.region.clone(),
        health: Health::Unknown,
        stacks: vec![
            StackReport::unknown(&names::bootstrap_stack(&c.stack_name), "bootstrap"),
            StackReport::unknown(&c.pipeline_stack_name(), "pipeline"),
            StackReport::unknown(&c.stack_name, "backstage"),
        ],
        pipelines: vec![
            PipelineReport::unknown("infra", &names::infra_pipeline(&c.stack_name)),
            PipelineReport::unknown("app", &names::app_pipeline(&c.stack_name)),
        ],
        stages: scope
            .stages
            .iter()
            .map(|stage| StageReport {
                name: stage.name.clone(),
                url: stage.url(),
                health: Health::Unknown,
                problems: vec!["AWS could not be asked (see errors)".into()],
                service: None,
                image: ImageReport::default(),
                targets: None,
                dns: None,
                database: None,
            })
            .collect(),
        errors: vec![error],
    }
}

async fn stack_facts(
    clients: &Clients,
    name: &str,
    with_resources: bool,
    seq: bool,
) -> Result<StackFacts, Error> {
    let resources = async {
        if with_resources {
            stack_resources(clients, name).await
        } else {
            Ok(BTreeMap::new())
        }
    };
    let (current, resources) = both(seq, stack::describe(&clients.base, name), resources).await;
    let current = current?;
    let failures = match &current {
        Some(s) if health::stack(Some(&s.status)) == Health::Unhealthy => {
            bs_aws::deploy::follow::latest_failures(&clients.base, &s.id).await?
        }
        _ => vec![],
    };
    Ok(StackFacts {
        resources: if current.is_some() {
            resources?
        } else {
            BTreeMap::new()
        },
        current,
        failures,
    })
}

/// Logical id → physical id of every resource of the stack (empty if none).
async fn stack_resources(clients: &Clients, name: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = match clients
            .base
            .cloudformation
            .list_stack_resources()
            .stack_name(name)
            .set_next_token(token)
            .send()
            .await
        {
            Ok(p) => p,
            Err(e) if error::message(&e).is_some_and(|m| m.contains("does not exist")) => {
                return Ok(out)
            }
            Err(e) => {
                return Err(error::aws(
                    &format!("listing the resources of stack {name}"),
                    &e,
                ))
            }
        };
        for r in page.stack_resource_summaries() {
            if let (Some(l), Some(p)) = (r.logical_resource_id(), r.physical_resource_id()) {
                out.insert(l.to_string(), p.to_string());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(out);
        }
    }
}

fn pipeline_report(
    kind: &str,
    name: &str,
    state: Result<Option<PipelineState>, Error>,
    errors: &mut Vec<String>,
) -> PipelineReport {
    match state {
        Ok(state) => PipelineReport {
            name: name.into(),
            kind: kind.into(),
            health: health::pipeline(state.as_ref()),
            exists: state.is_some(),
            stages: state
                .as_ref()
                .map(|s| {
                    s.stages
                        .iter()
                        .map(|st| PipelineStage {
                            name: st.name.clone(),
                            status: st.status.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            approvals: state
                .as_ref()
                .map(PipelineState::approvals)
                .unwrap_or_default(),
            execution: state.and_then(|s| s.execution),
        },
        Err(e) => {
            errors.push(e.to_string());
            PipelineReport::unknown(kind, name)
        }
    }
}

fn service_report(s: ServiceState) -> ServiceReport {
    ServiceReport {
        revision: service::revision(&s.task_definition),
        circuit_breaker_tripped: s.rollout.state == "FAILED" && s.circuit_breaker.enabled,
        name: s.name,
        status: s.status,
        desired: s.desired,
        running: s.running,
        pending: s.pending,
        task_definition: s.task_definition,
        rollout: s.rollout,
        circuit_breaker: s.circuit_breaker,
        events: s.events,
    }
}

/// The hosted zone of the stage's domain and its A record: `Ok(None)` when the
/// zone is not found; `Some((zone, None))` no record; `Some((zone, Some(target)))`.
async fn dns_record(
    clients: &Clients,
    stage: &Stage,
) -> Result<Option<(String, Option<Option<String>>)>, Error> {
    let zone = match &stage.hosted_zone_id {
        Some(z) => z.clone(),
        None => match bs_aws::deploy::parameters::hosted_zone_id(&clients.base, &stage.domain_name)
            .await
        {
            Ok(z) => z,
            Err(Error::Input(_)) => return Ok(None),
            Err(e) => return Err(e),
        },
    };
    let name = format!("{}.", stage.fqdn().trim_end_matches('.'));
    let out = clients
        .base
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(&zone)
        .start_record_name(&name)
        .start_record_type(aws_sdk_route53::types::RrType::A)
        .max_items(1)
        .send()
        .await
        .map_err(|e| error::aws(&format!("route53:ListResourceRecordSets of {name}"), &e))?;
    let record = out
        .resource_record_sets()
        .first()
        .filter(|r| r.name().eq_ignore_ascii_case(&name) && r.r#type().as_str() == "A")
        .map(|r| r.alias_target().map(|a| a.dns_name().to_string()));
    Ok(Some((zone, record)))
}

struct StageDetails {
    image: ImageReport,
    targets: Option<TargetCounts>,
    database: Option<DatabaseReport>,
    errors: Vec<String>,
}

async fn stage_details(
    clients: &Clients,
    c: &Config,
    stage: &Stage,
    svc: Option<&ServiceState>,
    app: Option<&StackFacts>,
    seq: bool,
) -> StageDetails {
    let requested = app
        .and_then(|f| f.current.as_ref())
        .and_then(|s| s.parameters.get(&stack_keys::image_parameter(&stage.id)))
        .filter(|v| !v.trim().is_empty())
        .cloned();
    let groups: Vec<String> = match svc {
        Some(s) if !s.target_groups.is_empty() => s.target_groups.clone(),
        _ => app
            .and_then(|f| f.resources.get(&stack_keys::target_group(&stage.id)))
            .cloned()
            .into_iter()
            .collect(),
    };
    let cluster = app
        .and_then(|f| f.resources.get(&stack_keys::database_cluster(&stage.id)))
        .cloned();
    let ((image, targets), database) = both(
        seq,
        both(
            seq,
            running_image(clients, c, svc),
            target_counts(clients, &groups, seq),
        ),
        database(clients, cluster),
    )
    .await;
    let mut errors = Vec::new();
    let (running, digest) = image.unwrap_or_else(|e| {
        errors.push(e.to_string());
        (None, None)
    });
    let targets = targets.unwrap_or_else(|e| {
        errors.push(e.to_string());
        None
    });
    let database = database.unwrap_or_else(|e| {
        errors.push(e.to_string());
        None
    });
    let tag = running
        .as_deref()
        .and_then(ImageRef::parse)
        .and_then(|r| r.tag);
    // With no image requested the service is scaled to zero on a placeholder
    // image: nothing to compare.
    let drift = svc.is_some() && requested.is_some() && running != requested;
    StageDetails {
        image: ImageReport {
            requested,
            running,
            tag,
            digest,
            drift,
        },
        targets,
        database,
        errors,
    }
}

/// The image of the service's task definition, and its digest (from the
/// reference when pinned, else from ECR).
async fn running_image(
    clients: &Clients,
    c: &Config,
    svc: Option<&ServiceState>,
) -> Result<(Option<String>, Option<String>), Error> {
    let Some(svc) = svc.filter(|s| !s.task_definition.is_empty()) else {
        return Ok((None, None));
    };
    let Some(running) =
        service::image(&clients.ecs, &svc.task_definition, &c.container_name).await?
    else {
        return Ok((None, None));
    };
    let digest = match ImageRef::parse(&running) {
        Some(r) if r.digest.is_some() => r.digest,
        Some(r) if r.ecr_account().is_some() => image::lookup(&clients.base.ecr, &r)
            .await?
            .map(|i| i.digest),
        _ => None,
    };
    Ok((Some(running), digest))
}

async fn target_counts(
    clients: &Clients,
    groups: &[String],
    seq: bool,
) -> Result<Option<TargetCounts>, Error> {
    if groups.is_empty() {
        return Ok(None);
    }
    let answers = all(
        seq,
        groups
            .iter()
            .map(|g| {
                clients
                    .elbv2
                    .describe_target_health()
                    .target_group_arn(g)
                    .send()
            })
            .collect(),
    )
    .await;
    let mut counts = TargetCounts::default();
    for answer in answers {
        let out =
            answer.map_err(|e| error::aws("elasticloadbalancing:DescribeTargetHealth", &e))?;
        for t in out.target_health_descriptions() {
            let state = t
                .target_health()
                .and_then(|h| h.state())
                .map(|s| s.as_str())
                .unwrap_or("");
            match state {
                "healthy" => counts.healthy += 1,
                "unhealthy" | "unhealthy.draining" => counts.unhealthy += 1,
                "initial" => counts.initial += 1,
                "draining" => counts.draining += 1,
                _ => counts.other += 1,
            }
        }
    }
    Ok(Some(counts))
}

async fn database(
    clients: &Clients,
    identifier: Option<String>,
) -> Result<Option<DatabaseReport>, Error> {
    let Some(identifier) = identifier else {
        return Ok(None);
    };
    let status = match clients
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(&identifier)
        .send()
        .await
    {
        Ok(out) => out
            .db_clusters()
            .first()
            .and_then(|d| d.status())
            .map(str::to_string),
        Err(e) if error::code(&e) == Some("DBClusterNotFoundFault") => None,
        Err(e) => return Err(error::aws("rds:DescribeDBClusters", &e)),
    };
    Ok(Some(DatabaseReport { identifier, status }))
}
