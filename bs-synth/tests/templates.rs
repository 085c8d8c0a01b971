//! Properties every synthesized template must have, checked on every config in
//! `configs/` and `tests/configs/`.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn stacks_come_in_deploy_order_with_account_region_and_tags() {
    for (file, c, a) in every_config() {
        assert_eq!(
            a.stack_names(),
            [
                format!("{}-bootstrap", c.stack_name),
                format!("{}-pipeline", c.stack_name),
                c.stack_name.clone()
            ],
            "{file}"
        );
        for s in &a.stacks {
            assert_eq!(s.account, c.account);
            assert_eq!(s.region, c.region);
            assert_eq!(s.tags.get("Name"), Some(&c.stack_name));
            assert_eq!(s.tags.get("Product"), Some(&c.product));
            assert_eq!(s.capabilities, ["CAPABILITY_NAMED_IAM"]);
            assert_eq!(
                s.template_bytes,
                s.template.as_ref().unwrap().to_string().len()
            );
        }
    }
}

#[test]
fn every_taggable_resource_carries_name_and_product() {
    for (file, c, a) in every_config() {
        for s in &a.stacks {
            for (id, r) in s.template.as_ref().unwrap()["Resources"]
                .as_object()
                .unwrap()
            {
                let ty = r["Type"].as_str().unwrap();
                if !bs_synth::cfn::is_taggable(ty) {
                    continue;
                }
                let tags = &r["Properties"]["Tags"];
                let (name, product) = match tags {
                    Value::Array(list) => {
                        let get = |k: &str| {
                            list.iter()
                                .find(|t| t["Key"] == k)
                                .map(|t| t["Value"].clone())
                        };
                        (get("Name"), get("Product"))
                    }
                    Value::Object(m) => (m.get("Name").cloned(), m.get("Product").cloned()),
                    _ => (None, None),
                };
                assert_eq!(
                    name,
                    Some(json!(c.stack_name)),
                    "{file}: {id} ({ty}) lacks tag Name"
                );
                assert_eq!(
                    product,
                    Some(json!(c.product)),
                    "{file}: {id} ({ty}) lacks tag Product"
                );
            }
        }
    }
}

/// Every statement of the template's roles and managed policies, with the id
/// of the role or policy that holds it.
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let documents: Vec<&Value> = match r["Type"].as_str().unwrap() {
            "AWS::IAM::Role" => {
                for arn in r["Properties"]["ManagedPolicyArns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let policy = arn["Ref"].as_str().unwrap_or_else(|| {
                        panic!("{id}: roles get the template's own policies, no AWS managed ones: {arn}")
                    });
                    assert_eq!(t["Resources"][policy]["Type"], "AWS::IAM::ManagedPolicy");
                }
                r["Properties"]["Policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| &p["PolicyDocument"])
                    .collect()
            }
            "AWS::IAM::ManagedPolicy" => vec![&r["Properties"]["PolicyDocument"]],
            _ => continue,
        };
        for d in documents {
            for s in d["Statement"].as_array().unwrap() {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

#[test]
fn no_iam_statement_grants_everything_on_everything() {
    for (file, _, a) in every_config() {
        for s in &a.stacks {
            let t = s.template.as_ref().unwrap();
            let text = t.to_string();
            assert!(!text.contains("AdministratorAccess"), "{file}");
            for (holder, st) in statements(t) {
                // No `*` action and no service-wide `svc:*`, for any role or
                // policy (CloudFormation's role included).
                for a in as_list(&st["Action"]) {
                    let a = a.as_str().unwrap();
                    assert!(
                        a != "*" && !a.ends_with(":*"),
                        "{file}: {holder} grants {a}: {st}"
                    );
                }
            }
        }
    }
}

/// Turning notifications on after bootstrap makes CloudFormation's role create
/// the account's first notification rule, which creates CodeStar
/// Notifications' service-linked role: every config's role may do that (and
/// only for the services the stacks use).
#[test]
fn the_cloudformation_role_may_create_the_service_linked_roles_first_use_needs() {
    for (file, c, a) in every_config() {
        let t = template(&a, &format!("{}-bootstrap", c.stack_name));
        let services: Vec<Value> = statements(t)
            .into_iter()
            .filter(|(holder, st)| {
                holder.starts_with("CloudFormationPolicy")
                    && as_list(&st["Action"]).contains(&json!("iam:CreateServiceLinkedRole"))
            })
            .flat_map(|(_, st)| as_list(&st["Condition"]["StringEquals"]["iam:AWSServiceName"]))
            .collect();
        assert_eq!(
            services,
            [
                json!("codestar-notifications.amazonaws.com"),
                json!("ecs.amazonaws.com"),
                json!("elasticloadbalancing.amazonaws.com"),
                json!("rds.amazonaws.com")
            ],
            "{file}"
        );
    }
}

#[test]
fn every_role_is_named_with_the_stack_prefix() {
    for (file, c, a) in every_config() {
        for s in &a.stacks {
            for (id, r) in resources_of(s.template.as_ref().unwrap(), "AWS::IAM::Role") {
                let name = r["Properties"]["RoleName"].as_str().unwrap();
                assert!(
                    name.starts_with(&format!("{}-", c.stack_name)),
                    "{file}: {id} is {name}"
                );
                assert!(name.len() <= 64, "{file}: {name}");
            }
        }
    }
}

#[test]
fn synthesis_is_deterministic() {
    for (file, c, a) in every_config() {
        let again = synth(&c);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "{file}"
        );
    }
}

/// Every `Ref`, `Fn::GetAtt` and `${…}` names a resource, parameter, condition
/// or pseudo parameter of the same template.
#[test]
fn references_resolve_within_the_template() {
    for (file, _, a) in every_config() {
        for s in &a.stacks {
            let t = s.template.as_ref().unwrap();
            let known = |name: &str| {
                name.starts_with("AWS::")
                    || t["Resources"].get(name).is_some()
                    || t.get("Parameters").and_then(|p| p.get(name)).is_some()
            };
            let mut values = Vec::new();
            walk(t, &mut values);
            for v in values {
                let Some(m) = v.as_object() else { continue };
                if let Some(Value::String(name)) = m.get("Ref") {
                    assert!(known(name), "{file}: Ref {name}");
                }
                if let Some(Value::Array(ga)) = m.get("Fn::GetAtt") {
                    assert!(known(ga[0].as_str().unwrap()), "{file}: GetAtt {ga:?}");
                }
                if let Some(Value::String(text)) = m.get("Fn::Sub") {
                    let mut rest = text.as_str();
                    while let Some(start) = rest.find("${") {
                        let end = rest[start..].find('}').unwrap() + start;
                        let name = rest[start + 2..end].split('.').next().unwrap();
                        assert!(known(name), "{file}: Sub ${{{name}}} in {text}");
                        rest = &rest[end..];
                    }
                }
                if let Some(Value::Array(f)) = m.get("Fn::If") {
                    let cond = f[0].as_str().unwrap();
                    assert!(
                        t["Conditions"].get(cond).is_some(),
                        "{file}: condition {cond}"
                    );
                }
            }
        }
    }
}

#[test]
fn each_stage_gets_common_plus_its_own_environment_only() {
    let c = load_named("example");
    let a = synth(&c);
    let t = template(&a, "backstage");
    let env = |stage: &str| -> Vec<(String, Value)> {
        resource(t, &format!("TaskDefinition{stage}"))["Properties"]["ContainerDefinitions"][0]
            ["Environment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["Name"].as_str().unwrap().to_string(), e["Value"].clone()))
            .collect()
    };
    let test = env("Test");
    let prod = env("Prod");
    assert!(test.contains(&("NODE_ENV".into(), json!("development"))));
    assert!(test.contains(&("LOG_LEVEL".into(), json!("debug"))));
    assert!(prod.contains(&("NODE_ENV".into(), json!("production"))));
    assert!(prod.contains(&("LOG_LEVEL".into(), json!("info"))));
    // POSTGRES_HOST is the stage's own cluster endpoint.
    assert!(prod.contains(&(
        "POSTGRES_HOST".into(),
        json!({"Fn::GetAtt": ["DatabaseClusterProd", "Endpoint.Address"]})
    )));
    assert!(test.contains(&(
        "POSTGRES_HOST".into(),
        json!({"Fn::GetAtt": ["DatabaseClusterTest", "Endpoint.Address"]})
    )));
    // Sorted, so the bytes are stable.
    let names: Vec<&String> = prod.iter().map(|(n, _)| n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

/// What a new app's app-config reads (`https://${HOST_NAME}.${DOMAIN_NAME}`,
/// `${CONTAINER_PORT}`, `${POSTGRES_*}`) is in every container, with the
/// effective values; each toolkit key is either passed on or listed, with its
/// reason, in NOT_FOR_THE_CONTAINER (a new key must be one or the other).
#[test]
fn every_stage_container_gets_the_merged_config_as_the_reference_does() {
    use bs_core::config::keys;
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let td = resource(t, &format!("TaskDefinition{}", stage.id));
            let env: std::collections::BTreeMap<String, Value> = td["Properties"]
                ["ContainerDefinitions"][0]["Environment"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["Name"].as_str().unwrap().to_string(), e["Value"].clone()))
                .collect();
            let get = |k: &str| env.get(k).cloned().unwrap_or(Value::Null);
            assert_eq!(get("HOST_NAME"), json!(stage.host_name), "{file}");
            assert_eq!(get("DOMAIN_NAME"), json!(stage.domain_name), "{file}");
            assert_eq!(
                get("CONTAINER_PORT"),
                json!(stage.container_port.to_string()),
                "{file}"
            );
            assert_eq!(
                td["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["ContainerPort"],
                json!(stage.container_port),
                "{file}: the app listens where the port mapping says"
            );
            assert_eq!(get("AWS_ACCOUNT"), json!(c.account), "{file}");
            assert_eq!(get("AWS_REGION"), json!(c.region), "{file}");
            assert_eq!(get("POSTGRES_USER"), json!(stage.postgres_user), "{file}");
            assert_eq!(
                get("POSTGRES_PORT"),
                json!(stage.postgres_port.to_string()),
                "{file}"
            );
            for (key, why) in keys::NOT_FOR_THE_CONTAINER {
                assert!(
                    !env.contains_key(*key),
                    "{file}: {key} reached the container ({why})"
                );
            }
            for key in keys::STACK_WIDE.iter().chain(keys::PER_STAGE) {
                let listed = keys::NOT_FOR_THE_CONTAINER.iter().any(|(k, _)| k == key);
                let optional_unset = !env.contains_key(*key)
                    && keys::when_not_set(key).is_some_and(|w| !w.starts_with("the default"));
                assert!(
                    env.contains_key(*key) || listed || optional_unset,
                    "{file}: {key} is neither passed to the container nor listed in NOT_FOR_THE_CONTAINER"
                );
            }
        }
    }
}

#[test]
fn secrets_reach_containers_only_as_ecs_secrets() {
    for (file, _, a) in every_config() {
        for s in &a.stacks {
            for (id, td) in resources_of(s.template.as_ref().unwrap(), "AWS::ECS::TaskDefinition") {
                let container = &td["Properties"]["ContainerDefinitions"][0];
                for e in container["Environment"].as_array().unwrap() {
                    let name = e["Name"].as_str().unwrap();
                    assert!(!name.contains("PASSWORD"), "{file}: {id} has plain {name}");
                }
                let secrets: Vec<&str> = container["Secrets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["Name"].as_str().unwrap())
                    .collect();
                assert!(secrets.contains(&"POSTGRES_PASSWORD"), "{file}: {id}");
            }
        }
    }
    let a = synth(&load_named("example"));
    let t = template(&a, "backstage");
    let secrets =
        &resource(t, "TaskDefinitionProd")["Properties"]["ContainerDefinitions"][0]["Secrets"];
    let names: Vec<&str> = secrets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "AUTH_GITHUB_CLIENT_ID",
            "AUTH_GITHUB_CLIENT_SECRET",
            "AWS_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "POSTGRES_PASSWORD"
        ]
    );
    assert_eq!(
        secrets[0]["ValueFrom"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:backstage/prod/github-auth:id::"})
    );
    // The execution role may read exactly those secrets.
    let exec = resource(t, "ExecutionRoleProd").to_string();
    assert!(
        exec.contains("secret:backstage/prod/github-auth-??????"),
        "{exec}"
    );
    assert!(
        !exec.contains("secret:backstage/test/github-auth"),
        "prod reads test's secret: {exec}"
    );
}

#[test]
fn stages_run_an_explicit_image_input_never_latest() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let id = &stage.id;
            let param = &t["Parameters"][format!("Image{id}")];
            assert_eq!(param["Default"], json!(""), "{file}");
            let image = &resource(t, &format!("TaskDefinition{id}"))["Properties"]
                ["ContainerDefinitions"][0]["Image"];
            assert_eq!(image["Fn::If"][0], json!(format!("HasImage{id}")), "{file}");
            assert_eq!(
                image["Fn::If"][1],
                json!({"Ref": format!("Image{id}")}),
                "{file}"
            );
            // No image yet: no task runs, so the first deploy needs no image.
            let desired = &resource(t, &format!("Service{id}"))["Properties"]["DesiredCount"];
            assert_eq!(
                desired,
                &json!({"Fn::If": [format!("HasImage{id}"), 1, 0]}),
                "{file}"
            );
            let deploy = &a.stack(&c.stack_name).unwrap().parameters[&format!("Image{id}")];
            assert_eq!(
                deploy,
                &bs_core::assembly::DeployParameter::StageImage {
                    stage: stage.name.clone()
                }
            );
        }
        for (id, td) in resources_of(t, "AWS::ECS::TaskDefinition") {
            assert!(
                !td.to_string().contains(":latest"),
                "{file}: {id} runs latest"
            );
        }
    }
}

#[test]
fn services_roll_back_on_failure_and_wait_for_their_listener() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let svc = resource(t, &format!("Service{}", stage.id));
            let dc = &svc["Properties"]["DeploymentConfiguration"];
            assert_eq!(
                dc["DeploymentCircuitBreaker"],
                json!({"Enable": true, "Rollback": true}),
                "{file}"
            );
            let deps = svc["DependsOn"].as_array().unwrap();
            assert!(
                deps.contains(&json!(format!("HttpsListener{}", stage.id))),
                "{file}"
            );
            assert_eq!(
                resource(t, &format!("TargetGroup{}", stage.id))["Properties"]["TargetType"],
                "ip"
            );
            let logs = &svc["Properties"];
            assert_eq!(logs["LaunchType"], "FARGATE");
            let td = &resource(t, &format!("TaskDefinition{}", stage.id))["Properties"];
            assert_eq!(
                (td["Cpu"].as_str(), td["Memory"].as_str()),
                (Some("512"), Some("2048"))
            );
            let log_config = &td["ContainerDefinitions"][0]["LogConfiguration"];
            assert_eq!(log_config["LogDriver"], "awslogs", "{file}");
            let group = log_config["Options"]["awslogs-group"]["Ref"]
                .as_str()
                .unwrap();
            assert_eq!(
                resource(t, group)["Properties"]["RetentionInDays"],
                json!(stage.log_retention_days)
            );
        }
    }
}

#[test]
fn security_groups_admit_only_the_next_hop() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let id = &stage.id;
            let task_in = resource(t, &format!("TaskSecurityGroup{id}IngressFromLoadBalancer"))
                ["Properties"]
                .clone();
            assert_eq!(
                task_in["SourceSecurityGroupId"],
                json!({"Fn::GetAtt": [format!("LoadBalancerSecurityGroup{id}"), "GroupId"]}),
                "{file}"
            );
            assert_eq!(
                (task_in["FromPort"].clone(), task_in["ToPort"].clone()),
                (json!(stage.container_port), json!(stage.container_port))
            );
            let db_in = resource(t, &format!("DatabaseSecurityGroup{id}IngressFromTasks"))
                ["Properties"]
                .clone();
            assert_eq!(
                db_in["SourceSecurityGroupId"],
                json!({"Fn::GetAtt": [format!("TaskSecurityGroup{id}"), "GroupId"]}),
                "{file}"
            );
            assert_eq!(db_in["FromPort"], json!(stage.postgres_port));
            // No inline ingress on the task or database groups: only the rules above.
            for g in ["TaskSecurityGroup", "DatabaseSecurityGroup"] {
                assert!(
                    resource(t, &format!("{g}{id}"))["Properties"]
                        .get("SecurityGroupIngress")
                        .is_none(),
                    "{file}: {g}{id}"
                );
            }
            // Every other ingress rule of the stack targets one of these groups, from them.
            let ingress = resources_of(t, "AWS::EC2::SecurityGroupIngress");
            assert_eq!(ingress.len(), 2 * c.stages.len(), "{file}");
            let lb_ports: Vec<Value> = resource(t, &format!("LoadBalancerSecurityGroup{id}"))
                ["Properties"]["SecurityGroupIngress"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["FromPort"].clone())
                .collect();
            assert_eq!(lb_ports, [json!(443), json!(80)]);
        }
    }
}

/// EC2's character sets (API reference of AuthorizeSecurityGroupIngress,
/// IpRange/UserIdGroupPair `Description`, and CreateSecurityGroup): a rule that
/// names a source or destination group takes `a-zA-Z0-9 ._-:/()#,@[]+=;{}!$*`;
/// a CIDR rule and a group description take `&` as well. At most 255 characters.
fn ec2_description_ok(text: &str, ampersand: bool) -> bool {
    text.len() <= 255
        && text.chars().all(|ch| {
            ch.is_ascii_alphanumeric()
                || " ._-:/()#,@[]+=;{}!$*".contains(ch)
                || (ampersand && ch == '&')
        })
}

#[test]
fn security_group_descriptions_use_only_what_ec2_accepts() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        let mut checked = 0;
        for (id, r) in resources_of(t, "AWS::EC2::SecurityGroup") {
            let p = &r["Properties"];
            let text = p["GroupDescription"].as_str().unwrap();
            assert!(ec2_description_ok(text, true), "{file}: {id}: {text:?}");
            checked += 1;
            for key in ["SecurityGroupIngress", "SecurityGroupEgress"] {
                for rule in p.get(key).and_then(Value::as_array).into_iter().flatten() {
                    let names_group =
                        rule.get("CidrIp").is_none() && rule.get("CidrIpv6").is_none();
                    let text = rule["Description"].as_str().unwrap();
                    assert!(
                        ec2_description_ok(text, !names_group),
                        "{file}: {id} {key}: {text:?}"
                    );
                    checked += 1;
                }
            }
        }
        for (id, r) in resources_of(t, "AWS::EC2::SecurityGroupIngress") {
            let p = &r["Properties"];
            let text = p["Description"].as_str().unwrap();
            let names_group = p.get("SourceSecurityGroupId").is_some();
            assert!(
                ec2_description_ok(text, !names_group),
                "{file}: {id}: {text:?}"
            );
            checked += 1;
        }
        assert!(
            checked >= 8 * c.stages.len(),
            "{file}: only {checked} descriptions"
        );
    }
    // The check itself refuses what EC2 refuses.
    assert!(!ec2_description_ok("From the stage's tasks", false));
    assert!(!ec2_description_ok("A & B", false));
    assert!(ec2_description_ok("A & B", true));
}

#[test]
fn https_uses_a_current_tls_policy_and_http_redirects() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let https = &resource(t, &format!("HttpsListener{}", stage.id))["Properties"];
            assert_eq!(
                https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "{file}"
            );
            let cert = &https["Certificates"][0]["CertificateArn"];
            match &stage.acm_arn {
                Some(arn) => assert_eq!(cert, &json!(arn)),
                None => {
                    assert_eq!(cert, &json!({"Ref": format!("Certificate{}", stage.id)}));
                    let c = &resource(t, &format!("Certificate{}", stage.id))["Properties"];
                    assert_eq!(c["ValidationMethod"], "DNS");
                    assert_eq!(c["DomainName"], json!(stage.fqdn()));
                    assert!(c["DomainValidationOptions"][0]["HostedZoneId"]["Ref"]
                        .as_str()
                        .unwrap()
                        .starts_with("HostedZoneId"));
                }
            }
            let http = &resource(t, &format!("HttpListener{}", stage.id))["Properties"];
            assert_eq!(
                http["DefaultActions"][0]["RedirectConfig"],
                json!({"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"})
            );
            let record = &resource(t, &format!("DnsRecord{}", stage.id))["Properties"];
            assert_eq!(record["Name"], json!(format!("{}.", stage.fqdn())));
            assert_eq!(
                record["AliasTarget"]["HostedZoneId"],
                json!({"Fn::GetAtt": [format!("LoadBalancer{}", stage.id), "CanonicalHostedZoneID"]})
            );
        }
    }
}

#[test]
fn databases_are_encrypted_backed_up_and_snapshotted() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for stage in &c.stages {
            let cluster = resource(t, &format!("DatabaseCluster{}", stage.id));
            let p = &cluster["Properties"];
            assert_eq!(p["Engine"], "aurora-postgresql");
            let major: u32 = p["EngineVersion"]
                .as_str()
                .unwrap()
                .split('.')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(major >= 14, "{file}: engine {major} is retired");
            assert_eq!(p["StorageEncrypted"], true);
            assert!(p["BackupRetentionPeriod"].as_u64().unwrap() >= 7);
            assert_eq!(cluster["DeletionPolicy"], "Snapshot");
            assert_eq!(cluster["UpdateReplacePolicy"], "Snapshot");
            assert_eq!(p["Port"], json!(stage.postgres_port));
            // Credentials only through dynamic references to the generated secret.
            assert!(p["MasterUserPassword"]["Fn::Sub"]
                .as_str()
                .unwrap()
                .starts_with("{{resolve:secretsmanager:"));
            let secret = &resource(t, &format!("DatabaseSecret{}", stage.id))["Properties"]
                ["GenerateSecretString"];
            assert_eq!(
                secret["SecretStringTemplate"],
                json!(json!({"username": stage.postgres_user}).to_string())
            );
            assert_eq!(secret["ExcludePunctuation"], true);
        }
    }
}

/// The repository is bs-bootstrap's: no stack creates (and retains) one, so
/// deploy, destroy, deploy never meets "already exists". Every stack names it
/// in its outputs and in the assembly's prerequisites.
#[test]
fn the_repository_is_a_prerequisite_never_a_resource() {
    for (file, c, a) in every_config() {
        let t = template(&a, &c.stack_name);
        for s in &a.stacks {
            let t = s.template.as_ref().unwrap();
            assert!(
                resources_of(t, "AWS::ECR::Repository").is_empty(),
                "{file}: stack {} creates a repository",
                s.name
            );
        }
        let name = c.ecr_repo_name.clone().unwrap_or(c.container_name.clone());
        let stack = a.stack(&c.stack_name).unwrap();
        let repositories: Vec<_> = stack
            .requires
            .iter()
            .filter(|p| matches!(p, bs_core::assembly::Prerequisite::EcrRepository { .. }))
            .collect();
        assert_eq!(
            repositories,
            [&bs_core::assembly::Prerequisite::EcrRepository { name: name.clone() }],
            "{file}"
        );
        assert_eq!(
            t["Outputs"]["RepositoryName"]["Value"],
            json!(name),
            "{file}"
        );
        assert_eq!(
            t["Outputs"]["RepositoryUri"]["Value"],
            json!({"Fn::Sub": format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{name}")}),
            "{file}"
        );
        assert!(
            t.to_string().contains(&format!(":repository/{name}\"")),
            "{file}"
        );
    }
    // The imported one keeps its own name; the default is CONTAINER_NAME.
    let imported = synth(&load_named("imported"));
    assert!(imported.stacks[2].requires.contains(
        &bs_core::assembly::Prerequisite::EcrRepository {
            name: "platform/backstage".into()
        }
    ));
}

#[test]
fn certificates_are_created_only_without_acm_arn() {
    let t = template(&synth(&load_named("imported")), "dev-portal").clone();
    assert!(resources_of(&t, "AWS::CertificateManager::Certificate").is_empty());
    // Known zone ids become the parameters' defaults.
    assert_eq!(
        t["Parameters"]["HostedZoneIdAcmeIo"]["Default"],
        "Z0PRODUCTION9"
    );
    assert_eq!(
        t["Parameters"]["HostedZoneIdStagingAcmeIo"]["Default"],
        "Z0STAGING123"
    );
    let t = template(&synth(&load_named("minimal")), "portal").clone();
    assert_eq!(
        resources_of(&t, "AWS::CertificateManager::Certificate").len(),
        1
    );
    assert!(t["Parameters"]["HostedZoneIdAcmeDev"]
        .get("Default")
        .is_none());
}

#[test]
fn notifications_follow_codestar_notify_arn() {
    let on = synth(&load_named("five-stages"));
    assert_eq!(
        resources_of(
            template(&on, "backstage-pipeline"),
            "AWS::CodeStarNotifications::NotificationRule"
        )
        .len(),
        1
    );
    let app_rule = resources_of(
        template(&on, "backstage"),
        "AWS::CodeStarNotifications::NotificationRule",
    );
    assert_eq!(app_rule.len(), 1);
    assert!(app_rule[0].1.to_string().contains("manual-approval-needed"));
    let off = synth(&load_named("minimal"));
    for s in &off.stacks {
        assert!(resources_of(
            s.template.as_ref().unwrap(),
            "AWS::CodeStarNotifications::NotificationRule"
        )
        .is_empty());
    }
}

fn stage_names(pipeline: &Value) -> Vec<String> {
    pipeline["Properties"]["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn infra_pipeline_updates_itself_before_the_backstage_stack() {
    let a = synth(&load_named("example"));
    let t = template(&a, "backstage-pipeline");
    let p = resource(t, "Pipeline");
    assert_eq!(
        stage_names(p),
        ["Source", "Synth", "UpdatePipeline", "Deploy"]
    );
    assert_eq!(p["Properties"]["RestartExecutionOnUpdate"], true);
    let stages = p["Properties"]["Stages"].as_array().unwrap();
    let env = |i: usize| -> Value {
        serde_json::from_str(
            stages[i]["Actions"][0]["Configuration"]["EnvironmentVariables"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(env(2)[0]["value"], "backstage-pipeline");
    assert_eq!(env(3)[0]["value"], "backstage");
    assert_eq!(
        resource(t, "SynthProject")["Properties"]["Source"]["BuildSpec"],
        "infra-buildspec.yml"
    );
    // The pipeline's bucket and roles are the bootstrap stack's: this stack
    // imports the bucket and names the roles.
    assert_eq!(
        p["Properties"]["ArtifactStore"]["Location"],
        json!({"Fn::ImportValue": "backstage-bootstrap-ArtifactBucket"})
    );
    assert!(resources_of(t, "AWS::IAM::Role").is_empty());
    assert!(resources_of(t, "AWS::S3::Bucket").is_empty());
    let t = template(&a, "backstage-bootstrap");
    let bucket = &resource(t, "ArtifactBucket")["Properties"];
    assert_eq!(
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "aws:kms"
    );
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
        true
    );
    assert!(resource(t, "ArtifactBucketPolicy")
        .to_string()
        .contains("aws:SecureTransport"));
}

#[test]
fn app_pipeline_builds_then_promotes_stage_by_stage_with_approvals() {
    let c = load_named("five-stages");
    let a = synth(&c);
    let t = template(&a, "backstage");
    let p = resource(t, "AppPipeline");
    assert_eq!(
        stage_names(p),
        [
            "Source",
            "Build",
            "Deploy-dev",
            "Deploy-test",
            "Deploy-qa",
            "Deploy-staging",
            "Deploy-prod"
        ]
    );
    let stages = p["Properties"]["Stages"].as_array().unwrap();
    for (i, stage) in c.stages.iter().enumerate() {
        let actions = stages[i + 2]["Actions"].as_array().unwrap();
        let names: Vec<&str> = actions
            .iter()
            .map(|a| a["Name"].as_str().unwrap())
            .collect();
        if stage.approval {
            assert_eq!(names, ["Approve", "Promote"], "{}", stage.name);
            assert_eq!(actions[0]["ActionTypeId"]["Provider"], "Manual");
            assert_eq!(
                actions[0]["Configuration"].get("NotificationArn").is_some(),
                !stage.approval_emails.is_empty()
            );
        } else {
            assert_eq!(names, ["Promote"], "{}", stage.name);
        }
        let env: Value = serde_json::from_str(
            actions.last().unwrap()["Configuration"]["EnvironmentVariables"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            env[0],
            json!({"name": "STAGE", "value": stage.name, "type": "PLAINTEXT"})
        );
        assert_eq!(
            env[1]["value"],
            if i == 0 { "build" } else { "previous-stage" }
        );
    }
    let topic = &resource(t, "ApprovalTopicProd")["Properties"]["Subscription"];
    assert_eq!(
        topic,
        &json!([
            {"Endpoint": "release-managers@example.com", "Protocol": "email"},
            {"Endpoint": "platform@example.com", "Protocol": "email"}
        ])
    );
    let build = &resource(t, "AppBuildProject")["Properties"];
    assert_eq!(build["Environment"]["PrivilegedMode"], true);
    assert!(build["Source"]["BuildSpec"]
        .as_str()
        .unwrap()
        .contains("--cache-from"));
    // The GitHub App secret reaches the build as a secret, not as its value.
    let env = build["Environment"]["EnvironmentVariables"]
        .as_array()
        .unwrap();
    let gh = env
        .iter()
        .find(|e| e["Name"] == "GITHUB_APP_CREDENTIALS")
        .unwrap();
    assert_eq!(gh["Type"], "SECRETS_MANAGER");
    assert_eq!(
        resource(t, "AppPromoteProject")["Properties"]["Environment"]["PrivilegedMode"],
        false
    );
}

#[test]
fn deploy_parameters_match_the_template() {
    for (file, c, a) in every_config() {
        let s = a.stack(&c.stack_name).unwrap();
        let t = s.template.as_ref().unwrap();
        let params: Vec<&String> = t["Parameters"].as_object().unwrap().keys().collect();
        let deploy: Vec<&String> = s.parameters.keys().collect();
        assert_eq!(params, deploy, "{file}");
        assert_eq!(s.parameters.len(), c.stages.len() + c.domains().len());
    }
}

#[test]
fn stacks_fit_cloudformation_limits() {
    for (file, _, a) in every_config() {
        for s in &a.stacks {
            assert!(s.resource_count <= 500, "{file}");
            assert!(
                bs_synth::limits::check(s.template.as_ref().unwrap(), s.template_bytes).is_empty(),
                "{file}"
            );
        }
    }
}
