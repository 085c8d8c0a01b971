"""CloudFormation resource types that moto 5.2.5 cannot create, mapped onto moto's backends.

moto's CloudFormation engine finds its resource models as the direct subclasses of
``CloudFormationModel`` (``moto.cloudformation.parsing.get_model_map``). A type
without a model is skipped with the warning "Tried to parse X but it's not
supported", and every ``Ref``/``Fn::GetAtt`` on it then fails the stack ("Template
error: instance of Fn::GetAtt references undefined resource"). Each class below is
such a model: a thin record that creates, updates and deletes the resource through
moto's OWN service backend, so that the service's API (DescribeSecret,
DescribeDBClusters, GetPipeline, ...) shows what the stack created.

Every class subclasses ``CloudFormationModel`` directly (``__subclasses__`` does not
see grandchildren); the shared plumbing comes from the ``_Model`` mixin.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from moto.acm.models import acm_backends
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.codebuild.models import codebuild_backends
from moto.codepipeline.models import codepipeline_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.utilities.utils import get_partition

from .managed_policies import default_document

logger = logging.getLogger("localaws")


# --------------------------------------------------------------------------- helpers


def _bool(value: Any, default: bool = False) -> bool:
    """CloudFormation booleans arrive as JSON booleans or as the strings "true"/"false"."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _camel(value: Any, keep_keys_under: tuple[str, ...] = ()) -> Any:
    """PascalCase property names (CloudFormation) -> camelCase (the JSON APIs).

    Maps whose keys are data, not property names (e.g. a pipeline action's
    ``Configuration``), are named in ``keep_keys_under`` and copied as they are.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = key[:1].lower() + key[1:]
            out[new_key] = item if key in keep_keys_under else _camel(item, keep_keys_under)
        return out
    if isinstance(value, list):
        return [_camel(item, keep_keys_under) for item in value]
    return value


def _name_of(value: Any) -> Any:
    """A Ref to a moto model without ``physical_resource_id`` (e.g. RDS's
    DBSubnetGroup) resolves to the model object itself: use its name."""
    if value is None or isinstance(value, str):
        return value
    return getattr(value, "name", value)


def _lower_tags(tags: Any) -> list[dict[str, str]]:
    """[{Key, Value}] (or a {k: v} map) -> [{key, value}] as CodeBuild/CodePipeline take them."""
    if isinstance(tags, dict):
        return [{"key": k, "value": str(v)} for k, v in tags.items()]
    return [{"key": t["Key"], "value": str(t["Value"])} for t in tags or []]


class _Model:
    """Mixin: a CloudFormation record with a physical id and named attributes.

    Subclasses set TYPE, NAME_PROPERTY and ATTRIBUTES, implement ``_create`` and
    ``delete``, and optionally ``_update`` (the default update replaces: create the
    new resource, then delete the old one).
    """

    TYPE = ""
    NAME_PROPERTY = ""
    ATTRIBUTES: dict[str, str] = {}  # GetAtt name -> instance attribute

    def __init__(self, account_id: str, region_name: str, physical_id: str, properties: dict[str, Any]):
        self.account_id = account_id
        self.region_name = region_name
        self._physical_id = physical_id
        self.properties = properties

    # -- what moto's engine calls
    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.ATTRIBUTES[attribute_name])

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        properties = cloudformation_json.get("Properties") or {}
        return cls._create(resource_name, properties, cloudformation_json, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        properties = cloudformation_json.get("Properties") or {}
        return original_resource._update(new_resource_name, properties, cloudformation_json)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        # Only reached when the record itself is gone; nothing is left to delete.
        return None

    # -- what subclasses implement
    @classmethod
    def _create(cls, name: str, props: dict[str, Any], resource_json: dict[str, Any], account_id: str, region_name: str) -> Any:
        raise NotImplementedError

    def _update(self, name: str, props: dict[str, Any], resource_json: dict[str, Any]) -> Any:
        new = type(self)._create(name, props, resource_json, self.account_id, self.region_name)
        if new.physical_resource_id != self.physical_resource_id:
            self.delete(self.account_id, self.region_name)
        return new

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError


# --------------------------------------------------------------------------- Secrets Manager


def generate_secret_string(backend: Any, spec: dict[str, Any]) -> str:
    """GenerateSecretString -> the secret string CloudFormation would store.

    The password comes from moto's own GetRandomPassword; with SecretStringTemplate
    and GenerateStringKey it is added to the template's JSON object.
    """
    password = json.loads(
        backend.get_random_password(
            password_length=int(spec.get("PasswordLength", 32)),
            exclude_characters=spec.get("ExcludeCharacters", ""),
            exclude_numbers=_bool(spec.get("ExcludeNumbers")),
            exclude_punctuation=_bool(spec.get("ExcludePunctuation")),
            exclude_uppercase=_bool(spec.get("ExcludeUppercase")),
            exclude_lowercase=_bool(spec.get("ExcludeLowercase")),
            include_space=_bool(spec.get("IncludeSpace")),
            require_each_included_type=_bool(spec.get("RequireEachIncludedType"), True),
        )
    )["RandomPassword"]
    template = spec.get("SecretStringTemplate")
    key = spec.get("GenerateStringKey")
    if template is None and key is None:
        return password
    document = json.loads(template or "{}")
    document[key or "password"] = password
    return json.dumps(document)


class SecretsManagerSecret(_Model, CloudFormationModel):
    """AWS::SecretsManager::Secret -> secretsmanager backend ``create_secret``.

    Gap: moto has no CloudFormation model for secrets. Ref and GetAtt Id are the
    secret's ARN. GenerateSecretString produces a real secret string (JSON with a
    generated password when SecretStringTemplate/GenerateStringKey are given); an
    update regenerates it only when GenerateSecretString itself changes. Delete
    removes the secret without a recovery window, so a stack can be re-created.
    """

    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Id": "arn"}

    @property
    def arn(self) -> str:
        return self._physical_id

    @staticmethod
    def _backend(account_id: str, region_name: str) -> Any:
        return secretsmanager_backends[account_id][region_name]

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        backend = cls._backend(account_id, region_name)
        if "SecretString" in props:
            value = props["SecretString"]
        else:
            value = generate_secret_string(backend, props.get("GenerateSecretString") or {})
        backend.create_secret(
            name=name,
            secret_string=value,
            secret_binary=None,
            description=props.get("Description"),
            tags=props.get("Tags"),
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=props.get("ReplicaRegions") or [],
            force_overwrite=False,
        )
        arn = backend.describe_secret(name).arn
        return cls(account_id, region_name, arn, props)

    def _update(self, name, props, resource_json):
        backend = self._backend(self.account_id, self.region_name)
        secret = backend.describe_secret(self.arn)
        if name != secret.name:
            return super()._update(name, props, resource_json)
        old = self.properties
        value = None
        if "SecretString" in props and props["SecretString"] != old.get("SecretString"):
            value = props["SecretString"]
        elif "SecretString" not in props and props.get("GenerateSecretString") != old.get("GenerateSecretString"):
            value = generate_secret_string(backend, props.get("GenerateSecretString") or {})
        if value is not None:
            backend.put_secret_value(self.arn, value, None, None, ["AWSCURRENT"])
        secret.description = props.get("Description")
        secret.tags = props.get("Tags") or None
        self.properties = props
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        self._backend(account_id, region_name).delete_secret(self.arn, None, True)


_ATTACHMENT_ENGINES = {"aurora-postgresql": "postgres", "aurora-mysql": "mysql", "aurora": "mysql"}


class SecretsManagerSecretTargetAttachment(_Model, CloudFormationModel):
    """AWS::SecretsManager::SecretTargetAttachment -> a new version of the secret.

    Gap: moto has no model for it. Like CloudFormation, it adds the target's
    connection details to the secret's JSON: ``engine`` (aurora-postgresql ->
    postgres), ``host``, ``port`` and ``dbClusterIdentifier`` (or
    ``dbInstanceIdentifier``), read from moto's rds backend. Ref is the secret's
    ARN. Delete leaves the secret as it is (CloudFormation does too).
    """

    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    ATTRIBUTES: dict[str, str] = {}

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        secrets = secretsmanager_backends[account_id][region_name]
        secret = secrets.describe_secret(props["SecretId"])
        target_type = props.get("TargetType", "")
        target_id = str(props["TargetId"])
        rds = rds_backends[account_id][region_name]
        if target_type == "AWS::RDS::DBCluster":
            cluster = rds.describe_db_clusters(db_cluster_identifier=target_id.lower())[0]
            details = {
                "engine": _ATTACHMENT_ENGINES.get(cluster.engine, cluster.engine),
                "host": cluster.endpoint,
                "port": int(cluster.port),
                "dbClusterIdentifier": cluster.db_cluster_identifier,
            }
        elif target_type == "AWS::RDS::DBInstance":
            instance = rds.describe_db_instances(db_instance_identifier=target_id.lower())[0]
            details = {
                "engine": _ATTACHMENT_ENGINES.get(instance.engine, instance.engine),
                "host": instance.address,
                "port": int(instance.port),
                "dbInstanceIdentifier": instance.db_instance_identifier,
            }
        else:
            raise ValueError(f"SecretTargetAttachment: TargetType {target_type!r} is not supported by the local AWS")
        current = secrets.get_secret_value(secret.arn, None, None).get("SecretString") or "{}"
        document = json.loads(current)
        document.update(details)
        secrets.put_secret_value(secret.arn, json.dumps(document), None, None, ["AWSCURRENT"])
        return cls(account_id, region_name, secret.arn, props)

    def _update(self, name, props, resource_json):
        return type(self)._create(name, props, resource_json, self.account_id, self.region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        return None


# --------------------------------------------------------------------------- RDS


class RDSDBCluster(_Model, CloudFormationModel):
    """AWS::RDS::DBCluster -> rds backend ``create_db_cluster``.

    Gap: moto has no CloudFormation model for DB clusters. Ref is the cluster
    identifier (lower case, as RDS stores it); GetAtt Endpoint.Address /
    Endpoint.Port / ReadEndpoint.Address / DBClusterArn / DBClusterResourceId read
    the backend's cluster. An update modifies the cluster in place (engine version,
    password, backups, ports, security groups, scaling); a new identifier or engine
    replaces it. Delete honours DeletionPolicy Snapshot with a final cluster snapshot.
    """

    TYPE = "AWS::RDS::DBCluster"
    NAME_PROPERTY = "DBClusterIdentifier"
    ATTRIBUTES = {
        "Endpoint.Address": "endpoint_address",
        "Endpoint.Port": "endpoint_port",
        "ReadEndpoint.Address": "read_endpoint_address",
        "DBClusterArn": "cluster_arn",
        "DBClusterResourceId": "cluster_resource_id",
    }

    def _cluster(self) -> Any:
        return rds_backends[self.account_id][self.region_name].clusters[self._physical_id]

    @property
    def endpoint_address(self) -> str:
        return self._cluster().endpoint

    @property
    def endpoint_port(self) -> str:
        return str(self._cluster().port)

    @property
    def read_endpoint_address(self) -> str:
        return self._cluster().reader_endpoint

    @property
    def cluster_arn(self) -> str:
        return self._cluster().arn

    @property
    def cluster_resource_id(self) -> str:
        return self._cluster().db_cluster_resource_id

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        identifier = name.lower()
        kwargs = {
            "db_cluster_identifier": identifier,
            "engine": props.get("Engine"),
            "engine_version": props.get("EngineVersion"),
            "engine_mode": props.get("EngineMode"),
            "master_username": props.get("MasterUsername"),
            "master_user_password": props.get("MasterUserPassword"),
            "manage_master_user_password": _bool(props.get("ManageMasterUserPassword")) or None,
            "port": _int(props.get("Port")),
            "database_name": props.get("DatabaseName"),
            "db_subnet_group_name": _name_of(props.get("DBSubnetGroupName")),
            "db_cluster_parameter_group_name": _name_of(props.get("DBClusterParameterGroupName")),
            "vpc_security_group_ids": props.get("VpcSecurityGroupIds"),
            "availability_zones": props.get("AvailabilityZones"),
            "storage_encrypted": _bool(props.get("StorageEncrypted")),
            "kms_key_id": props.get("KmsKeyId"),
            "backup_retention_period": _int(props.get("BackupRetentionPeriod")),
            "preferred_backup_window": props.get("PreferredBackupWindow"),
            "preferred_maintenance_window": props.get("PreferredMaintenanceWindow"),
            "copy_tags_to_snapshot": _bool(props.get("CopyTagsToSnapshot")),
            "deletion_protection": _bool(props.get("DeletionProtection")),
            "enable_cloudwatch_logs_exports": props.get("EnableCloudwatchLogsExports"),
            "enable_iam_database_authentication": _bool(props.get("EnableIAMDatabaseAuthentication")) or None,
            "serverless_v2_scaling_configuration": props.get("ServerlessV2ScalingConfiguration"),
            "tags": props.get("Tags"),
        }
        rds = rds_backends[account_id][region_name]
        cluster = rds.create_db_cluster({k: v for k, v in kwargs.items() if v is not None})
        cluster.status = "available"  # CloudFormation reports CREATE_COMPLETE once it is
        record = cls(account_id, region_name, identifier, props)
        record.deletion_policy = resource_json.get("DeletionPolicy")
        return record

    def _update(self, name, props, resource_json):
        old = self.properties
        if name.lower() != self._physical_id or props.get("Engine") != old.get("Engine"):
            return super()._update(name, props, resource_json)
        changes = {
            "engine_version": props.get("EngineVersion"),
            "master_user_password": props.get("MasterUserPassword"),
            "backup_retention_period": _int(props.get("BackupRetentionPeriod")),
            "port": _int(props.get("Port")),
            "deletion_protection": _bool(props.get("DeletionProtection")),
            "vpc_security_group_ids": props.get("VpcSecurityGroupIds"),
            "serverless_v2_scaling_configuration": props.get("ServerlessV2ScalingConfiguration"),
            "preferred_backup_window": props.get("PreferredBackupWindow"),
            "preferred_maintenance_window": props.get("PreferredMaintenanceWindow"),
            "copy_tags_to_snapshot": _bool(props.get("CopyTagsToSnapshot")),
        }
        kwargs = {k: v for k, v in changes.items() if v is not None}
        kwargs["db_cluster_identifier"] = self._physical_id
        rds_backends[self.account_id][self.region_name].modify_db_cluster(kwargs)
        self.properties = props
        self.deletion_policy = resource_json.get("DeletionPolicy")
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        snapshot = None
        if getattr(self, "deletion_policy", None) == "Snapshot":
            suffix = "".join(mock_random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
            snapshot = f"{self._physical_id}-snapshot-{suffix}"
        rds = rds_backends[account_id][region_name]
        rds.delete_db_cluster(self._physical_id, snapshot)
        # Gap: moto keeps the deleted cluster's automated snapshot
        # ("rds:<id>-<minute>"), so a cluster of the same identifier created in the
        # same minute failed ("a snapshot with the identifier ... already exists").
        # AWS deletes a cluster's automated backups with it.
        for key, saved in list(rds.cluster_snapshots.items()):
            if saved.snapshot_type == "automated" and saved.cluster.db_cluster_identifier == self._physical_id:
                rds.cluster_snapshots.pop(key, None)


# --------------------------------------------------------------------------- ACM


class CertificateManagerCertificate(_Model, CloudFormationModel):
    """AWS::CertificateManager::Certificate -> acm backend ``request_certificate``.

    Gap: moto has no CloudFormation model for certificates. Ref is the certificate
    ARN. The certificate is AMAZON_ISSUED; it reports ISSUED once
    MOTO_ACM_VALIDATION_WAIT seconds have passed (scripts/local-aws.sh sets 0). A
    change of domain names, validation method or CA replaces it; tags update in place.
    """

    TYPE = "AWS::CertificateManager::Certificate"
    ATTRIBUTES = {"Id": "arn"}
    _REPLACING = ("DomainName", "SubjectAlternativeNames", "ValidationMethod", "CertificateAuthorityArn", "KeyAlgorithm")

    @property
    def arn(self) -> str:
        return self._physical_id

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        backend = acm_backends[account_id][region_name]
        arn = backend.request_certificate(
            domain_name=props["DomainName"],
            idempotency_token=None,
            subject_alt_names=props.get("SubjectAlternativeNames") or [],
            tags=props.get("Tags") or [],
            cert_authority_arn=props.get("CertificateAuthorityArn"),
        )
        return cls(account_id, region_name, arn, props)

    def _update(self, name, props, resource_json):
        if any(props.get(k) != self.properties.get(k) for k in self._REPLACING):
            return super()._update(name, props, resource_json)
        cert = acm_backends[self.account_id][self.region_name].get_certificate(self.arn)
        cert.tags.clear()
        cert.tags.add(props.get("Tags") or [])
        self.properties = props
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        acm_backends[account_id][region_name].delete_certificate(self.arn)


# --------------------------------------------------------------------------- CodeBuild


def _codebuild_source(source: dict[str, Any] | None) -> dict[str, Any] | None:
    if source is None:
        return None
    out = _camel(source)
    if "buildSpec" in out:  # the API spells it "buildspec"
        out["buildspec"] = out.pop("buildSpec")
    return out


class CodeBuildProject(_Model, CloudFormationModel):
    """AWS::CodeBuild::Project -> codebuild backend ``create_project``.

    Gap: moto has no CloudFormation model for CodeBuild projects. Properties are
    converted to the API's camelCase (BuildSpec -> buildspec). Ref is the project
    name, GetAtt Arn its ARN. An update re-creates the project under the same name
    (a new name replaces it); delete calls ``delete_project``.
    """

    TYPE = "AWS::CodeBuild::Project"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Arn": "arn"}

    @property
    def arn(self) -> str:
        return f"arn:{get_partition(self.region_name)}:codebuild:{self.region_name}:{self.account_id}:project/{self._physical_id}"

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        codebuild_backends[account_id][region_name].create_project(
            project_name=name,
            description=props.get("Description"),
            project_source=_codebuild_source(props.get("Source")),
            artifacts=_camel(props.get("Artifacts")),
            environment=_camel(props.get("Environment")),
            service_role=props.get("ServiceRole", ""),
            tags=_lower_tags(props.get("Tags")),
            cache=_camel(props.get("Cache")),
            timeout=_int(props.get("TimeoutInMinutes")),
            queued_timeout=_int(props.get("QueuedTimeoutInMinutes")),
            source_version=props.get("SourceVersion"),
            logs_config=_camel(props.get("LogsConfig")),
            vpc_config=_camel(props.get("VpcConfig")),
        )
        return cls(account_id, region_name, name, props)

    def _update(self, name, props, resource_json):
        # create_project overwrites a project of the same name: that is the update.
        return super()._update(name, props, resource_json)

    def delete(self, account_id: str, region_name: str) -> None:
        codebuild_backends[account_id][region_name].delete_project(self._physical_id)


# --------------------------------------------------------------------------- CodePipeline


def _pipeline_declaration(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """Pipeline properties -> the API's PipelineDeclaration (camelCase).

    Action configurations keep their keys, and their values become strings (the
    API's configuration is a string map: DetectChanges true -> "true").
    """
    stages = []
    for stage in props.get("Stages") or []:
        actions = []
        for action in stage.get("Actions") or []:
            converted = _camel({k: v for k, v in action.items() if k != "Configuration"})
            configuration = action.get("Configuration") or {}
            converted["configuration"] = {
                k: (str(v).lower() if isinstance(v, bool) else v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v))
                for k, v in configuration.items()
            }
            actions.append(converted)
        converted_stage = _camel({k: v for k, v in stage.items() if k != "Actions"})
        converted_stage["actions"] = actions
        stages.append(converted_stage)
    declaration: dict[str, Any] = {"name": name, "roleArn": props.get("RoleArn"), "stages": stages}
    if "ArtifactStore" in props:
        declaration["artifactStore"] = _camel(props["ArtifactStore"])
    if "ArtifactStores" in props:
        declaration["artifactStores"] = {s["Region"]: _camel(s["ArtifactStore"]) for s in props["ArtifactStores"]}
    for key in ("PipelineType", "ExecutionMode", "Variables", "Triggers"):
        if key in props:
            declaration[key[:1].lower() + key[1:]] = _camel(props[key])
    return declaration


class CodePipelinePipeline(_Model, CloudFormationModel):
    """AWS::CodePipeline::Pipeline -> codepipeline backend ``create_pipeline``.

    Gap: moto has no CloudFormation model for pipelines. Properties become the
    API's pipeline declaration (see ``_pipeline_declaration``); moto checks the role
    exists and trusts codepipeline.amazonaws.com. Ref is the pipeline name, GetAtt
    Version its version. An update calls ``update_pipeline`` (version + 1); a new
    name replaces it. RestartExecutionOnUpdate and DisableInboundStageTransitions
    are not part of the declaration and are ignored.
    """

    TYPE = "AWS::CodePipeline::Pipeline"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Version": "version"}

    @property
    def version(self) -> str:
        pipeline, _ = codepipeline_backends[self.account_id][self.region_name].get_pipeline(self._physical_id)
        return str(pipeline["version"])

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        codepipeline_backends[account_id][region_name].create_pipeline(
            _pipeline_declaration(name, props), _lower_tags(props.get("Tags"))
        )
        return cls(account_id, region_name, name, props)

    def _update(self, name, props, resource_json):
        if name != self._physical_id:
            return super()._update(name, props, resource_json)
        backend = codepipeline_backends[self.account_id][self.region_name]
        backend.update_pipeline(_pipeline_declaration(name, props))
        backend.pipelines[name].tags = {t["key"]: t["value"] for t in _lower_tags(props.get("Tags"))}
        self.properties = props
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        codepipeline_backends[account_id][region_name].delete_pipeline(self._physical_id)


# --------------------------------------------------------------------------- S3


class S3BucketPolicy(_Model, CloudFormationModel):
    """AWS::S3::BucketPolicy -> s3 backend ``put_bucket_policy``.

    Gap: moto has no CloudFormation model for bucket policies. Ref is the bucket
    name. An update puts the new policy (and removes the old one from a bucket that
    is no longer named); delete removes the policy, if the bucket still exists.
    """

    TYPE = "AWS::S3::BucketPolicy"

    @staticmethod
    def _put(account_id: str, region_name: str, props: dict[str, Any]) -> None:
        policy = props["PolicyDocument"]
        text = policy if isinstance(policy, str) else json.dumps(policy)
        s3_backends[account_id][get_partition(region_name)].put_bucket_policy(props["Bucket"], text.encode("utf-8"))

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        cls._put(account_id, region_name, props)
        return cls(account_id, region_name, props["Bucket"], props)

    def _update(self, name, props, resource_json):
        if props["Bucket"] != self._physical_id:
            self.delete(self.account_id, self.region_name)
        return type(self)._create(name, props, resource_json, self.account_id, self.region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = s3_backends[account_id][get_partition(region_name)]
        if self._physical_id in backend.buckets:
            backend.delete_bucket_policy(self._physical_id)


# --------------------------------------------------------------------------- CodeStar Notifications


class NotificationRulesBackend(BaseBackend):
    """moto has no codestar-notifications service: the rules are kept here, per
    account and region. A BackendDict, so /moto-api/reset clears it with the rest."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.rules: dict[str, dict[str, Any]] = {}


notification_rules_backends = BackendDict(NotificationRulesBackend, "codestar-notifications")


NOTIFICATIONS_SERVICE = "codestar-notifications.amazonaws.com"
NOTIFICATIONS_ROLE = "AWSServiceRoleForCodeStarNotifications"
NOTIFICATIONS_ROLE_PATH = f"/aws-service-role/{NOTIFICATIONS_SERVICE}/"


def role_permission(role: Any, action: str, resource: str, context: dict[str, str]) -> str:
    """"allowed", "denied" (an explicit Deny) or "implicit" (nothing allows it): the
    role's inline and attached managed policies, evaluated with moto's IAMPolicy
    (whose condition handling services.py patches)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    documents: list[Any] = list(role.policies.values()) + [default_document(p) for p in role.managed_policies.values()]
    allowed = False
    for document in documents:
        # Inline policies of a role CloudFormation created are stored as the
        # template's JSON object (moto's CFN model puts them unserialized);
        # IAMPolicy reads a JSON text.
        text = document if isinstance(document, str) else json.dumps(document)
        try:
            result = IAMPolicy(text).is_action_permitted(action, resource, incoming_condition_values=context)
        except Exception as error:  # an unreadable policy allows nothing
            logger.warning("policy of %s not evaluated: %s", getattr(role, "name", role), error)
            continue
        if result == PermissionResult.DENIED:
            return "denied"
        allowed = allowed or result == PermissionResult.PERMITTED
    return "allowed" if allowed else "implicit"


def ensure_notifications_role(account_id: str, region_name: str, stack_id: str | None) -> None:
    """Create the account's CodeStar Notifications service-linked role, as the first
    CreateNotificationRule does, if the caller may.

    Gap: moto has no CodeStar Notifications, so the role was never made and never
    needed. On AWS the first rule of an account creates
    ``AWSServiceRoleForCodeStarNotifications``, which takes
    ``iam:CreateServiceLinkedRole`` for the caller: with a stack RoleARN, that
    role (the stack's role_arn, set from the change set before resources are made);
    without one, the caller's own credentials, which moto does not check. A role
    that may not fails the rule with CodeStar Notifications' AccessDenied.
    """
    from moto.cloudformation.models import cloudformation_backends
    from moto.iam.models import iam_backends

    from .constraints import ResourceFailure

    partition = get_partition(region_name)
    iam = iam_backends[account_id][partition]
    if any(role.name == NOTIFICATIONS_ROLE for role in iam.roles.values()):
        return
    stack = cloudformation_backends[account_id][region_name].stacks.get(stack_id or "")
    role_arn = getattr(stack, "role_arn", None)
    resource = f"arn:{partition}:iam::{account_id}:role{NOTIFICATIONS_ROLE_PATH}{NOTIFICATIONS_ROLE}"
    if role_arn:
        role = next((r for r in iam.roles.values() if r.arn == role_arn), None)
        verdict = "implicit" if role is None else role_permission(
            role, "iam:CreateServiceLinkedRole", resource, {"iam:AWSServiceName": NOTIFICATIONS_SERVICE}
        )
        if verdict != "allowed":
            reason = ("with an explicit deny in an identity-based policy" if verdict == "denied"
                      else "because no identity-based policy allows the iam:CreateServiceLinkedRole action")
            caller = f"arn:{partition}:sts::{account_id}:assumed-role/{role_arn.split('/')[-1]}/AWSCloudFormation"
            raise ResourceFailure(
                f'Resource handler returned message: "User: {caller} is not authorized to perform: '
                f"iam:CreateServiceLinkedRole on resource: {resource} {reason} (Service: CodeStarNotifications; "
                f"Status Code: 403; Error Code: AccessDeniedException; Request ID: {mock_random.uuid4()}; Proxy: null)\" "
                f"(RequestToken: {mock_random.uuid4()}, HandlerErrorCode: AccessDenied)"
            )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": [NOTIFICATIONS_SERVICE]}, "Action": ["sts:AssumeRole"]}],
    }
    iam.create_role(
        role_name=NOTIFICATIONS_ROLE,
        assume_role_policy_document=json.dumps(trust),
        path=NOTIFICATIONS_ROLE_PATH,
        permissions_boundary=None,
        description="Allows AWS CodeStar Notifications to access Amazon CloudWatch Events on your behalf",
        tags=[],
        max_session_duration="3600",
        linked_service=NOTIFICATIONS_SERVICE,
    )
    logger.info("created the service-linked role %s (account %s)", NOTIFICATIONS_ROLE, account_id)


class CodeStarNotificationsNotificationRule(_Model, CloudFormationModel):
    """AWS::CodeStarNotifications::NotificationRule -> a minimal record.

    Gap: moto has neither a model nor a service for notification rules. The rule
    (name, resource, event types, targets, status, tags) is kept in
    ``notification_rules_backends``; Ref and GetAtt Arn are a well-formed ARN
    ``arn:aws:codestar-notifications:<region>:<account>:notificationrule/<40 hex>``
    that stays the same across updates. No API serves the rules. The account's
    first rule creates the service-linked role (``ensure_notifications_role``).
    """

    TYPE = "AWS::CodeStarNotifications::NotificationRule"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Arn": "arn"}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        ensure_notifications_role(account_id, region_name, kwargs.get("StackId"))
        return super().create_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name, **kwargs)

    @property
    def arn(self) -> str:
        return self._physical_id

    @staticmethod
    def _record(name: str, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "Name": name,
            "Resource": props.get("Resource"),
            "EventTypeIds": props.get("EventTypeIds") or [],
            "Targets": props.get("Targets") or [],
            "DetailType": props.get("DetailType"),
            "Status": props.get("Status", "ENABLED"),
            "Tags": props.get("Tags") or {},
        }

    @classmethod
    def _create(cls, name, props, resource_json, account_id, region_name):
        rule_id = "".join(mock_random.choice("0123456789abcdef") for _ in range(40))
        arn = f"arn:{get_partition(region_name)}:codestar-notifications:{region_name}:{account_id}:notificationrule/{rule_id}"
        notification_rules_backends[account_id][region_name].rules[arn] = cls._record(name, props)
        return cls(account_id, region_name, arn, props)

    def _update(self, name, props, resource_json):
        notification_rules_backends[self.account_id][self.region_name].rules[self.arn] = self._record(name, props)
        self.properties = props
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        notification_rules_backends[account_id][region_name].rules.pop(self.arn, None)


MODELS = (
    SecretsManagerSecret,
    SecretsManagerSecretTargetAttachment,
    RDSDBCluster,
    CertificateManagerCertificate,
    CodeBuildProject,
    CodePipelinePipeline,
    S3BucketPolicy,
    CodeStarNotificationsNotificationRule,
)


def install() -> None:
    """Make moto's engine see the models: its model lists are lru_cached."""
    for cache in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cache.cache_clear()
    known = parsing.get_model_map()
    for model in MODELS:
        assert known.get(model.TYPE) is model, f"{model.TYPE} is not registered"
