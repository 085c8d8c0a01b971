"""Patches to moto's own CloudFormation models of services our stacks use.

Each patch is a small function replacing or wrapping one method; its docstring
names the moto 5.2.5 gap it fills.
"""

from __future__ import annotations

import os
from typing import Any

from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.ec2.models import elastic_ip_addresses, flow_logs, internet_gateways, nat_gateways, route_tables, subnets, vpn_gateway
from moto.codepipeline import responses as codepipeline_responses
from moto.ecs import models as ecs_models
from moto.ecs.models import ecs_backends
from moto.elbv2 import models as elbv2_models
from moto.rds import models as rds_models
from moto.rds.models import rds_backends

from .resources import _camel, _int, _lower_tags

# --------------------------------------------------------------------------- ELBv2

_original_lb_get_cfn_attribute = elbv2_models.FakeLoadBalancer.get_cfn_attribute


def _lb_get_cfn_attribute(self: Any, attribute_name: str) -> Any:
    """GetAtt CanonicalHostedZoneID / LoadBalancerFullName / SecurityGroups on an ALB.

    Gap: moto raises NotImplementedError for these, so the engine logs a warning
    and drops the property: a Route 53 alias then has no HostedZoneId. The zone id
    is the one moto's DescribeLoadBalancers reports for the load balancer.
    """
    if attribute_name == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "SecurityGroups":
        return list(self.security_groups or [])
    return _original_lb_get_cfn_attribute(self, attribute_name)


# --------------------------------------------------------------------------- ECS


def _task_definition_kwargs(props: dict[str, Any]) -> dict[str, Any]:
    kwargs = {
        "container_definitions": _camel(props.get("ContainerDefinitions") or [], keep_keys_under=("Options", "DockerLabels")),
        "volumes": _camel(props.get("Volumes") or []),
        "network_mode": props.get("NetworkMode"),
        "tags": _lower_tags(props.get("Tags")) or None,
        "placement_constraints": _camel(props.get("PlacementConstraints")),
        "requires_compatibilities": props.get("RequiresCompatibilities"),
        "cpu": None if props.get("Cpu") is None else str(props["Cpu"]),
        "memory": None if props.get("Memory") is None else str(props["Memory"]),
        "task_role_arn": props.get("TaskRoleArn"),
        "execution_role_arn": props.get("ExecutionRoleArn"),
        "proxy_configuration": _camel(props.get("ProxyConfiguration")),
        "runtime_platform": _camel(props.get("RuntimePlatform")),
        "ipc_mode": props.get("IpcMode"),
        "pid_mode": props.get("PidMode"),
        "ephemeral_storage": _camel(props.get("EphemeralStorage")),
    }
    return {k: v for k, v in kwargs.items() if v is not None}


def _td_family(props: dict[str, Any], resource_name: str) -> str:
    return props.get("Family") or resource_name


def _task_definition_create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    """AWS::ECS::TaskDefinition with all its properties.

    Gap: moto's model registers only family, containers (camelCased), volumes and
    memory: cpu, network mode, roles, runtime platform, compatibilities and tags
    are dropped, and a missing Family becomes a random number.
    """
    props = cloudformation_json["Properties"]
    return ecs_backends[account_id][region_name].register_task_definition(
        family=_td_family(props, resource_name), **_task_definition_kwargs(props)
    )


def _task_definition_update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Any:
    """A changed AWS::ECS::TaskDefinition registers a new revision, as CloudFormation does.

    Gap: moto's update compares the template's PascalCase containers with the
    stored camelCase ones (so it always re-registers) and registers them without
    camelCasing: DescribeTaskDefinition then shows no image. The old revision is
    deregistered (CloudFormation's default UpdateReplacePolicy keeps it INACTIVE).
    """
    backend = ecs_backends[account_id][region_name]
    props = cloudformation_json["Properties"]
    backend.deregister_task_definition(original_resource.arn)
    return backend.register_task_definition(family=_td_family(props, new_resource_name), **_task_definition_kwargs(props))


def _task_definition_delete(self: Any, account_id: str, region_name: str) -> None:
    """Deleting the stack deregisters the revision (moto's model had no delete)."""
    backend = ecs_backends[account_id][region_name]
    if self.status == "ACTIVE":
        backend.deregister_task_definition(self.arn)


def _service_create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    """AWS::ECS::Service with launch type, network configuration, load balancers and tags.

    Gap: moto's model passes only cluster, name, desired count and the task
    definition's family (so the service runs the family's latest revision, not the
    one referenced), and no DeploymentConfiguration (circuit breaker); DesiredCount
    defaults to 1 as in CloudFormation.
    """
    props = cloudformation_json["Properties"]
    cluster = props.get("Cluster") or "default"
    cluster = cluster.name if isinstance(cluster, ecs_models.Cluster) else cluster
    task_definition = props.get("TaskDefinition")
    if isinstance(task_definition, ecs_models.TaskDefinition):
        task_definition = task_definition.arn
    desired = _int(props.get("DesiredCount"))
    service = ecs_backends[account_id][region_name].create_service(
        cluster,
        resource_name,
        1 if desired is None else desired,
        task_definition_str=task_definition,
        load_balancers=_camel(props.get("LoadBalancers")),
        scheduling_strategy=props.get("SchedulingStrategy"),
        tags=_lower_tags(props.get("Tags")) or None,
        deployment_controller=_camel(props.get("DeploymentController")),
        launch_type=props.get("LaunchType"),
        service_registries=_camel(props.get("ServiceRegistries")),
        platform_version=props.get("PlatformVersion"),
        propagate_tags=props.get("PropagateTags") or "NONE",
        network_configuration=_camel(props.get("NetworkConfiguration")),
        role_arn=props.get("Role"),
    )
    # moto's service has no deploymentConfiguration (circuit breaker, percents);
    # DescribeServices serializes the attribute when it is set.
    service.deployment_configuration = _camel(props.get("DeploymentConfiguration"))
    return service


def _service_delete(self: Any, account_id: str, region_name: str) -> None:
    """Deleting the stack deletes the service (moto's model had no delete: it stayed ACTIVE)."""
    backend = ecs_backends[account_id][region_name]
    if f"{self.cluster_name}:{self.name}" in backend.services:
        backend.delete_service(self.cluster_name, self.name, force=True)


def _cluster_delete(self: Any, account_id: str, region_name: str) -> None:
    """Deleting the stack deletes the cluster (moto's model had no delete)."""
    backend = ecs_backends[account_id][region_name]
    if self.name in backend.clusters:
        backend.delete_cluster(self.arn)


_original_service_init = ecs_models.Service.__init__


def _register_task_targets(service: Any) -> None:
    """Each running task is a registered (healthy) IP target of the service's
    target groups, as ECS registers Fargate tasks; a scaled-down service's extra
    targets are deregistered.

    Gap: moto's services run no tasks, so their target groups stayed empty and
    DescribeTargetHealth reported nothing for a service that reports running tasks.
    """
    backend = elbv2_models.elbv2_backends[service._account_id][service.region_name]
    for attachment in service.load_balancers or []:
        group = backend.target_groups.get(attachment.get("targetGroupArn", ""))
        if group is None:
            continue
        port = attachment.get("containerPort", group.port)
        wanted = [f"10.255.{n // 250}.{n % 250 + 4}" for n in range(service.running_count)]
        stale = [{"Id": t} for t in group.targets if t not in wanted]
        if stale:
            group.deregister(stale)
        group.register([{"Id": ip, "Port": port} for ip in wanted])


def _settle_primary_deployment(service: Any) -> None:
    if os.environ.get("MOTO_ECS_SERVICE_RUNNING") is not None:
        return
    service.running_count = service.desired_count
    service.pending_count = 0
    if service.deployments:
        deployment = service.deployments[0]
        deployment.update(
            desiredCount=service.desired_count,
            runningCount=service.desired_count,
            pendingCount=0,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
            taskDefinition=service.task_definition,
            updatedAt=utcnow(),
        )
    _register_task_targets(service)


def _service_init(self: Any, *args: Any, **kwargs: Any) -> None:
    """A new service reports runningCount == desiredCount and a COMPLETED rollout.

    Gap: moto reports a fixed number of running tasks, MOTO_ECS_SERVICE_RUNNING
    (default 0), whatever the desired count; its UpdateService already sets running
    = desired. When MOTO_ECS_SERVICE_RUNNING is set, moto's behaviour is kept.
    """
    _original_service_init(self, *args, **kwargs)
    _settle_primary_deployment(self)


_original_update_service = ecs_models.EC2ContainerServiceBackend.update_service


def _update_service(self: Any, service_properties: dict[str, Any]) -> Any:
    """UpdateService refreshes the primary deployment (task definition, counts).

    Gap: moto changes the service's task definition but its deployment keeps the
    old one.
    """
    service = _original_update_service(self, service_properties)
    _settle_primary_deployment(service)
    return service


# --------------------------------------------------------------------------- deletes
#
# Gap: moto's CloudFormation models of these types have no delete, so DeleteStack
# left them behind, and the VPC then failed to delete ("DependencyViolation: The
# vpc ... has dependencies") which failed the whole DeleteStack. Each function
# deletes its resource through the backend, and does nothing if it is gone. The
# engine retries in passes, so dependency order sorts itself out.


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _route_table_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.id in backend.route_tables:
        backend.delete_route_table(self.id)


def _route_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    table = backend.route_tables.get(self.route_table.id)
    if table is not None and self.id in table.routes:
        backend.delete_route(self.route_table.id, self.destination_cidr_block)


def _subnet_association_delete(self: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).subnet_associations.pop(f"{self.route_table_id}:{self.subnet_id}", None)


def _nat_gateway_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.id in backend.nat_gateways and self.state != "deleted":
        backend.delete_nat_gateway(self.id)  # moto keeps it, in state "deleted"
        eni = getattr(self, "_eni", None)
        if eni is not None and eni.id in backend.enis:
            for eip in backend.addresses:
                if eip.eni is eni:
                    backend.disassociate_address(address=eip.public_ip)
            backend.delete_network_interface(eni.id)


def _eip_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self in backend.addresses:
        backend.release_address(address=self.public_ip)


def _gateway_attachment_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    igw = backend.internet_gateways.get(self.gateway_id)
    if igw is not None and igw.vpc is not None and igw.vpc.id == self.vpc_id:
        backend.detach_internet_gateway(self.gateway_id, self.vpc_id)


def _internet_gateway_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.id in backend.internet_gateways:
        backend.delete_internet_gateway(self.id)


def _flow_log_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.id in backend.flow_logs:
        backend.delete_flow_logs([self.id])


def _target_group_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = elbv2_models.elbv2_backends[account_id][region_name]
    if self.arn in backend.target_groups:
        backend.delete_target_group(self.arn)


def _listener_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = elbv2_models.elbv2_backends[account_id][region_name]
    if any(self.arn in lb.listeners for lb in backend.load_balancers.values()):
        backend.delete_listener(self.arn)


# --------------------------------------------------------------------------- RDS

_original_db_instance_create = rds_models.DBInstance.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _db_instance_create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    """AWS::RDS::DBInstance with DBClusterIdentifier becomes a member of that cluster.

    Gap: moto's model ignores DBClusterIdentifier (the instance is standalone and
    DescribeDBClusters lists no members) and defaults Port to 3306. A cluster
    member is created as the API would create it; other instances are unchanged.
    """
    props = cloudformation_json["Properties"]
    cluster_id = props.get("DBClusterIdentifier")
    if not cluster_id:
        return _original_db_instance_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = rds_backends[account_id][region_name]
    cluster = backend.clusters[str(cluster_id).lower()]
    db_kwargs = {
        "db_instance_identifier": (props.get("DBInstanceIdentifier") or resource_name).lower().replace("_", "-"),
        "db_cluster_identifier": cluster.db_cluster_identifier,
        "db_instance_class": props.get("DBInstanceClass"),
        "engine": props.get("Engine") or cluster.engine,
        "engine_version": props.get("EngineVersion") or cluster.engine_version,
        "auto_minor_version_upgrade": props.get("AutoMinorVersionUpgrade"),
        "publicly_accessible": props.get("PubliclyAccessible"),
        "db_subnet_group_name": cluster.db_subnet_group_name,
        "port": cluster.port,
        "tags": props.get("Tags"),
        "promotion_tier": _int(props.get("PromotionTier")),
        "availability_zone": props.get("AvailabilityZone"),
    }
    return backend.create_db_instance({k: v for k, v in db_kwargs.items() if v is not None})


# --------------------------------------------------------------------------- S3 bucket policies

from moto.iam import access_control  # noqa: E402
from moto.s3 import models as s3_models  # noqa: E402

_original_statement_permitted = access_control.IAMPolicyStatement.is_action_permitted


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Evaluates Bool / StringEquals / StringNotEquals / StringLike against the
    request context; None for any other operator (moto's own check then runs)."""
    import fnmatch

    for operator, tests in condition.items():
        for key, expected in tests.items():
            wanted = [str(v).lower() if operator == "Bool" else str(v) for v in (expected if isinstance(expected, list) else [expected])]
            actual = context.get(key)
            if operator == "Bool":
                if actual is None or actual.lower() not in wanted:
                    return False
            elif operator == "StringEquals":
                if actual is None or actual not in wanted:
                    return False
            elif operator == "StringNotEquals":
                if actual is not None and actual in wanted:
                    return False
            elif operator == "StringLike":
                if actual is None or not any(fnmatch.fnmatchcase(actual, w) for w in wanted):
                    return False
            else:
                return None
    return True


def _statement_permitted(self: Any, action: str, resource: str = "*", principal: Any = None, incoming_condition_values: Any = None) -> Any:
    """A statement whose Condition does not hold does not apply.

    Gap: moto 5.2.5 returns DENIED for a statement whose condition is not met (even
    an Allow), and its Bool operator never fails: a TLS-only bucket policy (Deny
    s3:* when aws:SecureTransport is false) then denies every request. Conditions
    with the common operators are evaluated here against the request context.
    """
    condition = self._statement.get("Condition")
    if condition:
        holds = _condition_holds(condition, incoming_condition_values or {})
        if holds is False:
            return access_control.PermissionResult.NEUTRAL
        if holds is True:
            statement = {k: v for k, v in self._statement.items() if k != "Condition"}
            return _original_statement_permitted(access_control.IAMPolicyStatement(statement), action, resource, principal, None)
    return _original_statement_permitted(self, action, resource, principal, incoming_condition_values)


def _bucket_permission(self: Any, action: str, resource: str) -> Any:
    """Bucket policies see aws:SecureTransport = true.

    Gap: moto evaluates bucket policies without request context. The local
    endpoint is plain HTTP on loopback, standing in for AWS's HTTPS endpoints,
    which the SDKs always use.
    """
    if self.policy is None:
        return access_control.PermissionResult.NEUTRAL
    policy = access_control.IAMPolicy(self.policy.decode())
    return policy.is_action_permitted(action, resource, incoming_condition_values={"aws:SecureTransport": "true"})


# --------------------------------------------------------------------------- pipelines


def _get_pipeline_state(self: Any) -> str:
    """GetPipelineState: the pipeline's declared stages and actions, none of them run.

    Gap: moto 5.2.5 has no GetPipelineState (bs-status reads it) and runs no
    pipelines, so no stage or action ever has a latest execution, and no manual
    approval ever waits (PutApprovalResult stays unimplemented). Those states are
    tested with aws-smithy-mocks.
    """
    import json

    name = self._get_param("name")
    pipeline, _ = self.codepipeline_backend.get_pipeline(name)
    stages = [
        {
            "stageName": stage["name"],
            "actionStates": [{"actionName": action["name"]} for action in stage.get("actions", [])],
        }
        for stage in pipeline.get("stages", [])
    ]
    return json.dumps(
        {
            "pipelineName": name,
            "pipelineVersion": pipeline.get("version", 1),
            "stageStates": stages,
        }
    )


def install() -> None:
    access_control.IAMPolicyStatement.is_action_permitted = _statement_permitted
    s3_models.FakeBucket.get_permission = _bucket_permission
    elbv2_models.FakeLoadBalancer.get_cfn_attribute = _lb_get_cfn_attribute
    ecs_models.TaskDefinition.create_from_cloudformation_json = classmethod(_task_definition_create)
    ecs_models.TaskDefinition.update_from_cloudformation_json = classmethod(_task_definition_update)
    ecs_models.TaskDefinition.delete = _task_definition_delete
    ecs_models.Service.create_from_cloudformation_json = classmethod(_service_create)
    ecs_models.Service.delete = _service_delete
    ecs_models.Service.__init__ = _service_init
    ecs_models.EC2ContainerServiceBackend.update_service = _update_service
    ecs_models.Cluster.delete = _cluster_delete
    codepipeline_responses.CodePipelineResponse.get_pipeline_state = _get_pipeline_state
    rds_models.DBInstance.create_from_cloudformation_json = classmethod(_db_instance_create)
    route_tables.RouteTable.delete = _route_table_delete
    route_tables.Route.delete = _route_delete
    subnets.SubnetRouteTableAssociation.delete = _subnet_association_delete
    nat_gateways.NatGateway.delete = _nat_gateway_delete
    elastic_ip_addresses.ElasticAddress.delete = _eip_delete
    vpn_gateway.VPCGatewayAttachment.delete = _gateway_attachment_delete
    internet_gateways.InternetGateway.delete = _internet_gateway_delete
    flow_logs.FlowLogs.delete = _flow_log_delete
    elbv2_models.FakeTargetGroup.delete = _target_group_delete
    elbv2_models.FakeListener.delete = _listener_delete
