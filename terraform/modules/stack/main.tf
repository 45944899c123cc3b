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

  # Least privilege (seed 001 "Lambda IAM Roles"), every fact from the function's entry in var.functions.
  policy_statements = {
    for fn, f in local.functions : fn => merge(
      {
        ConnectDatabase = { actions = ["rds-db:connect"], resources = [module.database.connect_resource_arn] }
      },
      var.switches.cache && f.cache ? {
        ReadCacheToken = { actions = ["secretsmanager:GetSecretValue"], resources = [module.cache[0].auth_secret_arn] }
      } : {},
      length(f.s3_actions) > 0 ? {
        UseObjects     = { actions = f.s3_actions, resources = [for p in f.s3_prefixes : "${module.storage.bucket_arn}/${p}/*"] }
        EncryptObjects = { actions = ["kms:GenerateDataKey"], resources = [module.kms.key_arn] }
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
        DB_HOST         = module.database.proxy_endpoint
        DB_PORT         = tostring(module.database.port)
        DB_NAME         = module.database.database_name
        DB_USER         = module.database.username
        DB_IAM_AUTH     = "true"
        DB_SSLMODE      = "require"
        S3_BUCKET       = module.storage.bucket_name
        ASSETS_BASE_URL = module.storage.assets_base_url
      },
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
}

module "network" {
  source = "../network"

  name                    = local.name
  cidr_block              = var.network.cidr_block
  availability_zone_ids   = var.network.availability_zone_ids
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
  security_group_ids       = [module.network.security_group_ids["lambda"]]
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
  security_group_ids       = [module.network.security_group_ids["lambda"]]
  environment              = local.environment["migrate"]
  policy_statements        = local.policy_statements["migrate"]
  app_version              = var.app_version
  log_level                = var.log_level
  kms_key_arn              = module.kms.key_arn
  log_retention_days       = var.log_retention_days
  enable_json_logging      = var.switches.lambda_json_logging
  enable_dead_letter_queue = local.functions["migrate"].dead_letter_queue
  kms_decrypt_services = concat(
    length(local.functions["migrate"].s3_actions) > 0 ? ["s3"] : [],
    var.switches.cache && local.functions["migrate"].cache ? ["secretsmanager"] : [],
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

module "traffic" {
  source = "../traffic"

  zone_id              = local.zone_id
  record_name          = var.dns.api_domain_name
  blue_target          = var.dns.legacy_target
  green_target         = module.api.green_target
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
