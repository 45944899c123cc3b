# The LEGO Projects API in one env: the concern modules wired together, the per-function
# policies and environment, migrations on deploy and the blue/green records. Each env directory
# calls this module once with its values (terraform/envs/<env>); nothing here asks which env it is.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name          = "${var.project}-${var.stage}"
  repo_root     = "${path.module}/../../.."
  artifacts_dir = coalesce(var.artifacts_dir, "${local.repo_root}/dist")

  # A function is deployed once `make build` wrote its artefacts (one without a handler yet is
  # not built); its routes go live with it. Output `undeployed_functions` lists the rest.
  functions = { for fn, cfg in var.functions : fn => cfg if fileexists("${local.artifacts_dir}/${fn}.json") }
  # docs/contracts.md: Terraform reads only the sidecar; the zip sits beside it.
  builds = { for fn in keys(local.functions) : fn => jsondecode(file("${local.artifacts_dir}/${fn}.json")) }
  routes = {
    for key, route in jsondecode(file("${local.repo_root}/functions/routes.json")).routes :
    key => route if contains(keys(local.functions), route.function)
  }

  function_names = { for fn in keys(var.functions) : fn => "${var.project}-${replace(fn, "_", "-")}-${var.stage}" }
  function_arns = {
    for fn, name in local.function_names :
    fn => "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${name}"
  }
  # csv_parser -> CsvParser (statement ids), CSV_PARSER (environment names).
  camel = { for fn in keys(var.functions) : fn => join("", [for part in split("_", fn) : title(part)]) }

  # Issue 13 item 2: every function logs in as the app role (DML only); migrate alone as the
  # master, and it reads the app login's secret to set that role's password.
  migrator = "migrate"
  # s3_actions that act on the bucket, not on an object: granted on the bucket ARN, limited to
  # the function's prefixes by the s3:prefix condition (ListBucket is how storage.list_keys and
  # delete_prefix find a MOC's files; issue 13 item 1).
  bucket_actions = ["s3:ListBucket"]

  # Least privilege (seed 001 "Lambda IAM Roles"), every fact from the function's entry in var.functions.
  policy_statements = {
    for fn, f in local.functions : fn => merge(
      {
        ConnectDatabase = { actions = ["rds-db:connect"], resources = [fn == local.migrator ? module.database.migrator_connect_resource_arn : module.database.connect_resource_arn] }
      },
      fn == local.migrator ? {
        ReadAppLogin = { actions = ["secretsmanager:GetSecretValue"], resources = [module.database.app_secret_arn] }
      } : {},
      var.switches.cache && f.cache ? {
        ReadCacheToken = { actions = ["secretsmanager:GetSecretValue"], resources = [module.cache[0].auth_secret_arn] }
      } : {},
      length(f.s3_actions) > 0 ? {
        UseObjects     = { actions = [for a in f.s3_actions : a if !contains(local.bucket_actions, a)], resources = [for p in f.s3_prefixes : "${module.storage.bucket_arn}/${p}/*"] }
        EncryptObjects = { actions = ["kms:GenerateDataKey"], resources = [module.kms.key_arn] }
      } : {},
      length(setintersection(f.s3_actions, local.bucket_actions)) > 0 ? {
        ListObjects = {
          actions   = tolist(setintersection(f.s3_actions, local.bucket_actions))
          resources = [module.storage.bucket_arn]
          condition = { StringLike = { "s3:prefix" = [for p in f.s3_prefixes : "${p}/*"] } }
        }
      } : {},
      var.switches.search && length(f.search_actions) > 0 ? {
        UseSearch = { actions = f.search_actions, resources = ["${module.search[0].domain_arn}/*"] }
      } : {},
      length(f.cognito_actions) > 0 ? {
        ManageUsers = { actions = f.cognito_actions, resources = [module.auth.user_pool_arn] }
      } : {},
      { for target in f.invokes : "Invoke${local.camel[target]}" => { actions = ["lambda:InvokeFunction"], resources = [local.function_arns[target]] } },
    )
  }

  # docs/contracts.md "Runtime environment" (the function module adds SERVICE_NAME, STAGE, ...).
  environment = {
    for fn, f in local.functions : fn => merge(
      {
        DB_HOST     = module.database.proxy_endpoint
        DB_PORT     = tostring(module.database.port)
        DB_NAME     = module.database.database_name
        DB_USER     = fn == local.migrator ? module.database.migrator_username : module.database.username
        DB_IAM_AUTH = "true"
        # Issue 13 item 16: the proxy's certificate (ACM) must chain to Amazon Root CA 1-4,
        # shipped in every zip (lego_common/certs), and name DB_HOST.
        DB_SSLMODE      = "verify-full"
        DB_SSLROOTCERT  = "lego_common/certs/amazon-root-ca.pem"
        S3_BUCKET       = module.storage.bucket_name
        ASSETS_BASE_URL = module.storage.assets_base_url
      },
      fn == local.migrator ? { APP_DB_SECRET_ARN = module.database.app_secret_arn } : {},
      var.switches.cache && f.cache ? {
        REDIS_URL             = module.cache[0].url
        REDIS_AUTH_SECRET_ARN = module.cache[0].auth_secret_arn
      } : {},
      var.switches.search && length(f.search_actions) > 0 ? {
        OPENSEARCH_URL  = module.search[0].url
        OPENSEARCH_AUTH = "iam"
      } : {},
      length(f.cognito_actions) > 0 ? { COGNITO_USER_POOL_ID = module.auth.user_pool_id } : {},
      { for target in f.invokes : "${upper(target)}_FUNCTION_NAME" => local.function_names[target] },
      f.environment,
    )
  }

  # Tag of every function but migrate: the migrate build whose run their code follows. Referring
  # to the invocation is what orders them after it; without migrations on apply, nothing to wait for.
  schema_tags = { for run in aws_lambda_invocation.migrate : "SchemaMigrations" => run.triggers.source_code_hash }

  # Known before the trail exists, so the key policy can name it (the trail needs the key).
  trail_arn = "arn:${data.aws_partition.current.partition}:cloudtrail:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:trail/${local.name}"

  # HTTPS out through the NAT only for Cognito callers, and only when the pool needs it.
  function_security_group_ids = {
    for fn, f in local.functions : fn => concat(
      [module.network.security_group_ids["lambda"]],
      var.network.cognito_via_nat && length(f.cognito_actions) > 0 ? [module.network.cognito_egress_security_group_id] : [],
    )
  }

  # With the edge on, green is the distribution (whose origin is the API); otherwise the API.
  green_target = var.edge.enabled ? module.edge[0].distribution_domain_name : module.api.green_target

  zone_id = var.switches.create_hosted_zone ? aws_route53_zone.this[0].zone_id : var.dns.hosted_zone_id
}

################################################################################
# Foundation
################################################################################

module "kms" {
  source = "../kms"

  name = local.name
  # OAC reads of SSE-KMS images, limited to this env's distribution (it does not depend on the key).
  cloudfront_distribution_arns = var.switches.cdn ? [module.storage.distribution_arn] : []
  cloudtrail_trail_arns        = var.trail.enabled ? [local.trail_arn] : []
}

module "network" {
  source = "../network"

  name                    = local.name
  cidr_block              = var.network.cidr_block
  availability_zone_ids   = var.network.availability_zone_ids
  cognito_via_nat         = var.network.cognito_via_nat
  kms_key_arn             = module.kms.key_arn
  flow_log_retention_days = var.log_retention_days
}

################################################################################
# Data stores
################################################################################

module "database" {
  source = "../database"

  name                        = local.name
  subnet_ids                  = module.network.private_subnet_ids
  db_security_group_id        = module.network.security_group_ids["db"]
  proxy_security_group_id     = module.network.security_group_ids["proxy"]
  kms_key_arn                 = module.kms.key_arn
  instance_class              = var.db.instance_class
  allocated_storage_gb        = var.db.allocated_storage_gb
  multi_az                    = var.db.multi_az
  backup_retention_days       = var.db.backup_retention_days
  deletion_protection         = var.deletion_protection
  enable_performance_insights = var.switches.performance_insights
  enable_parameter_group      = var.switches.parameter_groups
  log_retention_days          = var.log_retention_days
  secret_recovery_window_days = var.secret_recovery_window_days

  # the proxy pool's share of max_connections (docs/capacity.md)
  proxy_max_connections_percent = var.db.proxy_max_connections_percent
}

module "cache" {
  source = "../cache"
  count  = var.switches.cache ? 1 : 0

  name                   = local.name
  subnet_ids             = module.network.private_subnet_ids
  security_group_id      = module.network.security_group_ids["redis"]
  kms_key_arn            = module.kms.key_arn
  node_type              = var.cache.node_type
  node_count             = var.cache.node_count
  enable_parameter_group = var.switches.parameter_groups
  log_retention_days     = var.log_retention_days

  secret_recovery_window_days = var.secret_recovery_window_days
  auth_token_version          = var.cache.auth_token_version
  auth_token_update_strategy  = var.cache.auth_token_update_strategy
}

module "search" {
  source = "../search"
  count  = var.switches.search ? 1 : 0

  name                  = local.name
  subnet_ids            = module.network.private_subnet_ids
  security_group_id     = module.network.security_group_ids["opensearch"]
  kms_key_arn           = module.kms.key_arn
  instance_type         = var.search.instance_type
  instance_count        = var.search.instance_count
  dedicated_master_type = var.search.dedicated_master_type
  volume_size_gb        = var.search.volume_size_gb
  access_role_arns      = [for fn, f in local.functions : module.function[fn].role_arn if length(f.search_actions) > 0]
  log_retention_days    = var.log_retention_days
}

module "storage" {
  source = "../storage"

  bucket_name   = var.bucket_name
  kms_key_arn   = module.kms.key_arn
  cors          = { allowed_origins = var.cors_allowed_origins }
  force_destroy = var.force_destroy
  enable_cdn    = var.switches.cdn
  cdn_domain    = var.cdn_domain
}

# The audit record: who called what, and who read, wrote or deleted which object (issue 13 item 17).
module "trail" {
  source = "../trail"
  count  = var.trail.enabled ? 1 : 0

  name                      = local.name
  kms_key_arn               = module.kms.key_arn
  data_event_bucket_arns    = [module.storage.bucket_arn]
  include_management_events = var.trail.include_management_events
  retention_days            = var.trail.retention_days
  force_destroy             = var.force_destroy
}

module "auth" {
  source = "../auth"

  name                = local.name
  existing_user_pool  = var.existing_user_pool
  email               = var.user_pool_email
  callback_urls       = var.cors_allowed_origins
  deletion_protection = var.deletion_protection
}

################################################################################
# Functions and API
################################################################################

module "function" {
  source   = "../function"
  for_each = { for fn, cfg in local.functions : fn => cfg if fn != "migrate" }

  name                     = local.function_names[each.key]
  stage                    = var.stage
  zip_path                 = "${local.artifacts_dir}/${basename(local.builds[each.key].zip)}"
  build                    = local.builds[each.key]
  memory_mb                = each.value.memory_mb
  timeout_s                = each.value.timeout_s
  reserved_concurrency     = lookup(var.reserved_concurrency, each.key, each.value.reserved_concurrency)
  provisioned_concurrency  = var.enable_provisioned_concurrency ? each.value.provisioned_concurrency : 0
  subnet_ids               = module.network.private_subnet_ids
  security_group_ids       = local.function_security_group_ids[each.key]
  environment              = local.environment[each.key]
  policy_statements        = local.policy_statements[each.key]
  app_version              = var.app_version
  log_level                = var.log_level
  kms_key_arn              = module.kms.key_arn
  log_retention_days       = var.log_retention_days
  enable_json_logging      = var.switches.lambda_json_logging
  enable_dead_letter_queue = each.value.dead_letter_queue
  # kms:Decrypt only through Lambda (environment) and the services that decrypt for this function.
  kms_decrypt_services = concat(
    length(each.value.s3_actions) > 0 ? ["s3"] : [],
    var.switches.cache && each.value.cache ? ["secretsmanager"] : [],
  )
  # Code after its schema (issue 13 item 8): every resource of these functions refers to the
  # migration run, so Terraform changes none of them (their code included) before it applied.
  tags = local.schema_tags
}

# The migration runner, a call of its own (same inputs as above) so the other functions can wait
# for the run of its code: within one for_each call they would form a cycle.
module "migrate" {
  source = "../function"

  name                     = local.function_names["migrate"]
  stage                    = var.stage
  zip_path                 = "${local.artifacts_dir}/${basename(local.builds["migrate"].zip)}"
  build                    = local.builds["migrate"]
  memory_mb                = local.functions["migrate"].memory_mb
  timeout_s                = local.functions["migrate"].timeout_s
  reserved_concurrency     = local.functions["migrate"].reserved_concurrency
  provisioned_concurrency  = var.enable_provisioned_concurrency ? local.functions["migrate"].provisioned_concurrency : 0
  subnet_ids               = module.network.private_subnet_ids
  security_group_ids       = local.function_security_group_ids["migrate"]
  environment              = local.environment["migrate"]
  policy_statements        = local.policy_statements["migrate"]
  app_version              = var.app_version
  log_level                = var.log_level
  kms_key_arn              = module.kms.key_arn
  log_retention_days       = var.log_retention_days
  enable_json_logging      = var.switches.lambda_json_logging
  enable_dead_letter_queue = local.functions["migrate"].dead_letter_queue
  # secretsmanager: migrate reads the app login's secret to set the role's password
  kms_decrypt_services = concat(
    length(local.functions["migrate"].s3_actions) > 0 ? ["s3"] : [],
    ["secretsmanager"],
  )
}

moved {
  from = module.function["migrate"]
  to   = module.migrate
}

# Schedules: EventBridge invokes a function on its `schedule` (upload's sweep of expired tickets).
resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = { for fn, f in local.functions : fn => f.schedule if f.schedule != null }

  name                = "${local.function_names[each.key]}-schedule"
  description         = "Invokes ${local.function_names[each.key]} on ${each.value}."
  schedule_expression = each.value
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = aws_cloudwatch_event_rule.schedule

  rule = each.value.name
  arn  = module.function[each.key].function_arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = aws_cloudwatch_event_rule.schedule

  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = module.function[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}

module "api" {
  source = "../api"

  name   = local.name
  routes = local.routes
  functions = {
    for fn, f in module.function : fn => { name = f.function_name, invoke_arn = f.invoke_arn, qualifier = f.qualifier }
  }
  jwt_issuer      = module.auth.issuer_url
  jwt_audience    = [module.auth.client_id]
  cors            = { allow_origins = var.cors_allowed_origins }
  domain_name     = var.switches.custom_domain ? var.dns.api_domain_name : null
  certificate_arn = var.switches.custom_domain ? var.dns.certificate_arn : null
  kms_key_arn     = module.kms.key_arn
  throttling = {
    burst_limit = var.throttling_burst_limit
    rate_limit  = var.throttling_rate_limit
    # seed "Rate Limiting": upload endpoints 100 requests/second
    routes = { for key, route in local.routes : key => { burst_limit = 100, rate_limit = 100 } if route.function == "upload" }
  }
  log_retention_days = var.log_retention_days
}

################################################################################
# Migrations on deploy (idempotent: the runner applies only pending migrations)
################################################################################

resource "aws_lambda_invocation" "migrate" {
  count = var.switches.migrations_on_apply ? 1 : 0

  function_name = module.migrate.function_name
  input         = jsonencode({ action = "apply" })

  # Re-run when the migrations (the zip) or the database change.
  triggers = {
    source_code_hash = local.builds["migrate"].source_code_hash
    database         = module.database.instance_id
  }

  depends_on = [module.database]
}

################################################################################
# Blue/green traffic
################################################################################

resource "aws_route53_zone" "this" {
  count = var.switches.create_hosted_zone ? 1 : 0

  name          = var.dns.hosted_zone_name
  force_destroy = var.force_destroy
}

# Optional edge (issue 13 item 18): CloudFront + WAF answer the public hostname and forward to
# the API's execute-api host; green's weighted record then points at the distribution.
module "edge" {
  source = "../edge"
  count  = var.edge.enabled ? 1 : 0

  name               = local.name
  domain_name        = var.dns.api_domain_name
  certificate_arn    = var.edge.certificate_arn
  origin_domain_name = module.api.endpoint_host
  rate_limit_per_ip  = var.edge.rate_limit_per_ip
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

# The image CDN's own name (storage input cdn_domain), an alias to the distribution.
resource "aws_route53_record" "assets" {
  count = var.cdn_domain != null && var.switches.cdn ? 1 : 0

  zone_id = local.zone_id
  name    = var.cdn_domain.name
  type    = "A"

  alias {
    name                   = module.storage.distribution_domain_name
    zone_id                = "Z2FDTNDATAQYW2" # every CloudFront distribution's alias zone
    evaluate_target_health = false
  }
}

module "traffic" {
  source = "../traffic"

  zone_id              = local.zone_id
  record_name          = var.dns.api_domain_name
  blue_target          = var.dns.legacy_target
  green_target         = local.green_target
  blue_weight          = var.blue_weight
  green_weight         = var.green_weight
  enable_health_checks = var.dns.health_checks
  health_check_fqdns   = { green = module.api.endpoint_host }
  health_check_paths   = { blue = var.dns.blue_health_path, green = var.dns.green_health_path }
}

################################################################################
# Monitoring
################################################################################

module "monitoring" {
  source = "../monitoring"

  name  = local.name
  stage = var.stage
  functions = {
    for fn, f in module.function : fn => { name = f.function_name, log_group_name = f.log_group_name } if var.functions[fn].alarms
  }
  api                = { id = module.api.api_id, stage = module.api.stage_name }
  db_instance_id     = module.database.instance_id
  db_proxy_name      = module.database.proxy_name
  cache_cluster_ids  = var.switches.cache ? module.cache[0].member_cluster_ids : []
  search_domain_name = var.switches.search ? module.search[0].domain_name : null
  alarm_emails       = var.monitoring.alarm_emails
  budget_limit_usd   = var.monitoring.budget_limit_usd
  enable_budget      = var.switches.budget

  activate_cost_allocation_tag = var.switches.cost_allocation_tag && var.monitoring.activate_cost_allocation_tag
  kms_key_arn                  = module.kms.key_arn
}
