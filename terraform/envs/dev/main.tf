# One env of the LEGO Projects API. This file is identical in dev, staging and production;
# the differences are values in <env>.tfvars (and weights in traffic.auto.tfvars.json).

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "LEGO-API" # seed "Cost Monitoring": cost explorer tags
      Environment = var.stage
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name          = "${var.project}-${var.stage}"
  repo_root     = "${path.root}/../../.."
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
  csv_parser_arn = "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:${local.function_names["csv_parser"]}"

  # Least privilege (seed 001 "Lambda IAM Roles"): which function touches what.
  s3_access = {
    mocs       = { prefixes = ["mocs"], actions = ["s3:DeleteObject"] } # files go when their MOC goes
    gallery    = { prefixes = ["images"], actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] }
    wishlist   = { prefixes = ["wishlist"], actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] }
    profile    = { prefixes = ["avatars"], actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] }
    upload     = { prefixes = ["mocs"], actions = ["s3:PutObject", "s3:GetObject"] }
    csv_parser = { prefixes = ["mocs"], actions = ["s3:GetObject"] }
  }
  redis_users = toset(["health", "mocs", "gallery", "wishlist", "profile", "upload", "csv_parser"])
  search_access = {
    health   = ["es:ESHttpGet", "es:ESHttpHead"]
    mocs     = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    gallery  = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    wishlist = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    migrate  = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPut"] # creates the indices
  }

  policy_statements = {
    for fn in keys(local.functions) : fn => merge(
      {
        ConnectDatabase = { actions = ["rds-db:connect"], resources = [module.database.connect_resource_arn] }
      },
      var.enable_cache && contains(local.redis_users, fn) ? {
        ReadCacheToken = { actions = ["secretsmanager:GetSecretValue"], resources = [module.cache[0].auth_secret_arn] }
      } : {},
      contains(keys(local.s3_access), fn) ? {
        UseObjects     = { actions = local.s3_access[fn].actions, resources = [for p in local.s3_access[fn].prefixes : "${module.storage.bucket_arn}/${p}/*"] }
        EncryptObjects = { actions = ["kms:GenerateDataKey"], resources = [module.kms.key_arn] }
      } : {},
      var.enable_search && contains(keys(local.search_access), fn) ? {
        UseSearch = { actions = local.search_access[fn], resources = ["${module.search[0].domain_arn}/*"] }
      } : {},
      fn == "profile" ? {
        ManageUsers = { actions = ["cognito-idp:AdminGetUser", "cognito-idp:AdminUpdateUserAttributes"], resources = [module.auth.user_pool_arn] }
      } : {},
      fn == "upload" ? {
        InvokeCsvParser = { actions = ["lambda:InvokeFunction"], resources = [local.csv_parser_arn] }
      } : {},
    )
  }

  # docs/contracts.md "Runtime environment" (the function module adds SERVICE_NAME, STAGE, ...).
  environment = {
    for fn in keys(local.functions) : fn => merge(
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
      var.enable_cache && contains(local.redis_users, fn) ? {
        REDIS_URL             = module.cache[0].url
        REDIS_AUTH_SECRET_ARN = module.cache[0].auth_secret_arn
      } : {},
      var.enable_search && contains(keys(local.search_access), fn) ? {
        OPENSEARCH_URL  = module.search[0].url
        OPENSEARCH_AUTH = "iam"
      } : {},
      fn == "profile" ? { COGNITO_USER_POOL_ID = module.auth.user_pool_id } : {},
      fn == "upload" ? { CSV_PARSER_FUNCTION_NAME = local.function_names["csv_parser"] } : {},
    )
  }

  zone_id = var.create_hosted_zone ? aws_route53_zone.this[0].zone_id : var.hosted_zone_id
}

################################################################################
# Foundation
################################################################################

module "kms" {
  source = "../../modules/kms"

  name = local.name
}

module "network" {
  source = "../../modules/network"

  name                    = local.name
  cidr_block              = var.vpc_cidr
  availability_zones      = var.availability_zones
  kms_key_arn             = module.kms.key_arn
  flow_log_retention_days = var.log_retention_days
}

################################################################################
# Data stores
################################################################################

module "database" {
  source = "../../modules/database"

  name                        = local.name
  subnet_ids                  = module.network.private_subnet_ids
  db_security_group_id        = module.network.security_group_ids["db"]
  proxy_security_group_id     = module.network.security_group_ids["proxy"]
  kms_key_arn                 = module.kms.key_arn
  instance_class              = var.db.instance_class
  allocated_storage_gb        = var.db.allocated_storage_gb
  multi_az                    = var.db.multi_az
  backup_retention_days       = var.db.backup_retention_days
  deletion_protection         = var.db.deletion_protection
  enable_performance_insights = var.enable_performance_insights
  enable_parameter_group      = var.enable_parameter_groups
  log_retention_days          = var.log_retention_days
}

module "cache" {
  source = "../../modules/cache"
  count  = var.enable_cache ? 1 : 0

  name                   = local.name
  subnet_ids             = module.network.private_subnet_ids
  security_group_id      = module.network.security_group_ids["redis"]
  kms_key_arn            = module.kms.key_arn
  node_type              = var.cache.node_type
  node_count             = var.cache.node_count
  enable_parameter_group = var.enable_parameter_groups
  log_retention_days     = var.log_retention_days
}

module "search" {
  source = "../../modules/search"
  count  = var.enable_search ? 1 : 0

  name                  = local.name
  subnet_ids            = module.network.private_subnet_ids
  security_group_id     = module.network.security_group_ids["opensearch"]
  kms_key_arn           = module.kms.key_arn
  instance_type         = var.search.instance_type
  instance_count        = var.search.instance_count
  dedicated_master_type = var.search.dedicated_master_type
  volume_size_gb        = var.search.volume_size_gb
  access_role_arns      = [for fn in keys(local.search_access) : module.function[fn].role_arn if contains(keys(local.functions), fn)]
  log_retention_days    = var.log_retention_days
}

module "storage" {
  source = "../../modules/storage"

  bucket_name   = var.bucket_name
  kms_key_arn   = module.kms.key_arn
  cors          = { allowed_origins = var.cors_allowed_origins }
  force_destroy = var.stage == "dev"
  enable_cdn    = var.enable_cdn
}

module "auth" {
  source = "../../modules/auth"

  name                = local.name
  existing_user_pool  = var.existing_user_pool
  callback_urls       = var.cors_allowed_origins
  deletion_protection = var.stage != "dev"
}

################################################################################
# Functions and API
################################################################################

module "function" {
  source   = "../../modules/function"
  for_each = local.functions

  name                 = local.function_names[each.key]
  stage                = var.stage
  zip_path             = "${local.artifacts_dir}/${basename(local.builds[each.key].zip)}"
  build                = local.builds[each.key]
  memory_mb            = each.value.memory_mb
  timeout_s            = each.value.timeout_s
  reserved_concurrency = each.value.reserved_concurrency
  subnet_ids           = module.network.private_subnet_ids
  security_group_ids   = [module.network.security_group_ids["lambda"]]
  environment          = local.environment[each.key]
  policy_statements    = local.policy_statements[each.key]
  app_version          = var.app_version
  log_level            = var.log_level
  kms_key_arn          = module.kms.key_arn
  log_retention_days   = var.log_retention_days
  enable_json_logging  = var.enable_lambda_json_logging
  # csv_parser is invoked asynchronously by upload: keep the events of failed runs.
  enable_dead_letter_queue = each.key == "csv_parser"
}

module "api" {
  source = "../../modules/api"

  name            = local.name
  routes          = local.routes
  functions       = { for fn, f in module.function : fn => { name = f.function_name, invoke_arn = f.invoke_arn } }
  jwt_issuer      = module.auth.issuer_url
  jwt_audience    = [module.auth.client_id]
  cors            = { allow_origins = var.cors_allowed_origins }
  domain_name     = var.enable_custom_domain ? var.api_domain_name : null
  certificate_arn = var.enable_custom_domain ? var.certificate_arn : null
  kms_key_arn     = module.kms.key_arn
  throttling = {
    # seed "Rate Limiting": upload endpoints 100 requests/second
    routes = { for key, route in local.routes : key => { burst_limit = 100, rate_limit = 100 } if route.function == "upload" }
  }
  log_retention_days = var.log_retention_days
}

################################################################################
# Migrations on deploy (idempotent: the runner applies only pending migrations)
################################################################################

resource "aws_lambda_invocation" "migrate" {
  count = var.run_migrations_on_apply ? 1 : 0

  function_name = module.function["migrate"].function_name
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
  count = var.create_hosted_zone ? 1 : 0

  name          = var.hosted_zone_name
  force_destroy = var.stage == "dev"
}

module "traffic" {
  source = "../../modules/traffic"

  zone_id              = local.zone_id
  record_name          = var.api_domain_name
  blue_target          = var.legacy_target
  green_target         = module.api.green_target
  blue_weight          = var.blue_weight
  green_weight         = var.green_weight
  enable_health_checks = var.enable_traffic_health_checks
  health_check_fqdns   = { green = module.api.endpoint_host }
}

################################################################################
# Monitoring
################################################################################

module "monitoring" {
  source = "../../modules/monitoring"

  name  = local.name
  stage = var.stage
  functions = {
    for fn, f in module.function : fn => { name = f.function_name, log_group_name = f.log_group_name } if fn != "migrate"
  }
  api                = { id = module.api.api_id, stage = module.api.stage_name }
  db_instance_id     = module.database.instance_id
  db_proxy_name      = module.database.proxy_name
  cache_cluster_ids  = var.enable_cache ? module.cache[0].member_cluster_ids : []
  search_domain_name = var.enable_search ? module.search[0].domain_name : null
  alarm_emails       = var.alarm_emails
  budget_limit_usd   = var.budget_limit_usd
  enable_budget      = var.enable_budget
  kms_key_arn        = module.kms.key_arn
}
