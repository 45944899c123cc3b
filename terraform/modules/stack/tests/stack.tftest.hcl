# The composition on the shared mocks, run by scripts/tf-check.sh:
#   terraform -chdir=terraform/modules/stack test -var artifacts_dir=<dir with every <fn>.json>
# Least privilege per function (seed 001 "Lambda IAM Roles"), contract env vars, seed sizes,
# route table and traffic wiring, provisioned concurrency, env differences as inputs.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  stage                          = "dev"
  network                        = { cidr_block = "10.20.0.0/16", availability_zone_ids = ["use1-az1", "use1-az2"] }
  db                             = { instance_class = "db.t4g.micro" }
  cache                          = { node_type = "cache.t4g.micro" }
  search                         = { instance_type = "t3.small.search" }
  deletion_protection            = false
  force_destroy                  = true
  secret_recovery_window_days    = 0
  enable_provisioned_concurrency = false
  bucket_name                    = "lego-moc-files-dev"
  cors_allowed_origins           = ["http://localhost:3002"]
  dns = {
    api_domain_name  = "api.dev.lego-moc.example.com"
    hosted_zone_name = "dev.lego-moc.example.com"
    hosted_zone_id   = "Z00000000000000000DEV"
    certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000dev"
    legacy_target    = "legacy-api-dev.lego-moc.example.com"
  }
  blue_weight      = 90
  green_weight     = 10
  create_user_pool = true
}

run "least_privilege_per_function" {
  command = apply

  assert {
    condition     = alltrue([for fn, s in local.policy_statements : contains(keys(s), "ConnectDatabase")])
    error_message = "every function connects to the database through the proxy"
  }
  assert {
    condition     = !contains(keys(local.policy_statements["health"]), "UseObjects") && !contains(keys(local.policy_statements["health"]), "ManageUsers") && !contains(keys(local.policy_statements["health"]), "InvokeCsvParser")
    error_message = "health touches no bucket, no Cognito, invokes nothing"
  }
  assert {
    condition     = join(",", local.policy_statements["mocs"]["UseObjects"].actions) == "s3:DeleteObject" && alltrue([for r in local.policy_statements["mocs"]["UseObjects"].resources : endswith(r, "/mocs/*")])
    error_message = "mocs only deletes files under mocs/"
  }
  assert {
    condition     = jsonencode(local.policy_statements["mocs"]["ListObjects"].actions) == jsonencode(["s3:ListBucket"]) && jsonencode(local.policy_statements["mocs"]["ListObjects"].resources) == jsonencode([module.storage.bucket_arn]) && jsonencode(local.policy_statements["mocs"]["ListObjects"].condition) == jsonencode({ StringLike = { "s3:prefix" = ["mocs/*"] } })
    error_message = "mocs lists the bucket only under mocs/ (s3:prefix condition): delete_prefix finds a MOC's files (issue 13 item 1)"
  }
  assert {
    condition     = length([for fn, s in local.policy_statements : fn if contains(keys(s), "ListObjects")]) == 1
    error_message = "no function but mocs lists the bucket"
  }
  assert {
    condition     = alltrue([for fn, s in local.policy_statements : s["ConnectDatabase"].resources == [fn == "migrate" ? module.database.migrator_connect_resource_arn : module.database.connect_resource_arn]]) && endswith(module.database.connect_resource_arn, "/lego_app")
    error_message = "every function connects as lego_app, migrate alone as the master (issue 13 item 2)"
  }
  assert {
    condition     = alltrue([for fn, e in local.environment : e["DB_USER"] == (fn == "migrate" ? "lego_admin" : "lego_app") && (lookup(e, "APP_DB_SECRET_ARN", null) != null) == (fn == "migrate")])
    error_message = "DB_USER is the app role except for migrate, which alone gets the app login's secret"
  }
  assert {
    condition     = local.policy_statements["migrate"]["ReadAppLogin"].resources == [module.database.app_secret_arn] && length([for fn, s in local.policy_statements : fn if contains(keys(s), "ReadAppLogin")]) == 1
    error_message = "only migrate reads the app login's secret (to set the role's password)"
  }
  assert {
    condition     = join(",", sort(local.policy_statements["csv_parser"]["UseObjects"].actions)) == "s3:GetObject,s3:GetObjectVersion" && alltrue([for r in local.policy_statements["csv_parser"]["UseObjects"].resources : endswith(r, "/mocs/*")])
    error_message = "csv_parser only reads files (by version) under mocs/"
  }
  assert {
    condition     = join(",", sort(local.policy_statements["upload"]["UseObjects"].actions)) == "s3:DeleteObject,s3:GetObject,s3:PutObject" && alltrue([for r in local.policy_statements["upload"]["UseObjects"].resources : endswith(r, "/mocs/*")])
    error_message = "upload puts (presigned POST), reads and deletes files under mocs/ only"
  }
  assert {
    condition     = join(",", sort([for r in local.policy_statements["gallery"]["UseObjects"].resources : split("/", r)[1]])) == "images,uploads" && alltrue([for r in local.policy_statements["wishlist"]["UseObjects"].resources : endswith(r, "/wishlist/*")]) && alltrue([for r in local.policy_statements["profile"]["UseObjects"].resources : endswith(r, "/avatars/*")])
    error_message = "gallery (images/, its staged uploads/), wishlist and profile each stay in their own prefixes"
  }
  assert {
    condition     = join(",", local.policy_statements["wishlist"]["UseObjects"].actions) == "s3:PutObject,s3:DeleteObject"
    error_message = "wishlist only puts (in place) and deletes its item images: it never reads them back"
  }
  assert {
    condition     = join(",", local.policy_statements["profile"]["ManageUsers"].actions) == "cognito-idp:AdminGetUser,cognito-idp:AdminUpdateUserAttributes,cognito-idp:AdminDeleteUserAttributes" && length([for fn, s in local.policy_statements : fn if contains(keys(s), "ManageUsers")]) == 1
    error_message = "only profile calls Cognito: the two seed actions plus AdminDeleteUserAttributes (avatar delete)"
  }
  assert {
    condition     = one(local.policy_statements["upload"]["InvokeCsvParser"].resources) == local.function_arns["csv_parser"] && local.function_arns["csv_parser"] == "arn:aws:lambda:us-east-1:123456789012:function:lego-api-csv-parser-dev" && length([for fn, s in local.policy_statements : fn if contains(keys(s), "InvokeCsvParser")]) == 1
    error_message = "only upload invokes, and only csv_parser"
  }
  assert {
    condition     = module.function["csv_parser"].dead_letter_queue_arn != null && length([for fn, f in module.function : fn if f.dead_letter_queue_arn != null]) == 1
    error_message = "csv_parser (async) has a dead-letter queue; the API functions (sync) need none"
  }
  assert {
    condition     = !contains(keys(local.policy_statements["migrate"]), "UseObjects")
    error_message = "the migration runner touches no bucket"
  }
  assert {
    condition     = !contains(keys(local.policy_statements["migrate"]), "UseSearch") && !contains(keys(local.environment["migrate"]), "OPENSEARCH_URL")
    error_message = "the migration runner never calls OpenSearch (packages/schema): no search actions, no OPENSEARCH_URL"
  }
}

run "contract_environment_and_seed_sizes" {
  command = apply

  assert {
    condition     = local.environment["upload"]["CSV_PARSER_FUNCTION_NAME"] == "lego-api-csv-parser-dev" && length([for fn, e in local.environment : fn if contains(keys(e), "CSV_PARSER_FUNCTION_NAME")]) == 1
    error_message = "only upload knows the csv_parser function name"
  }
  assert {
    condition     = local.environment["profile"]["COGNITO_USER_POOL_ID"] == "us-east-1_Mock" && length([for fn, e in local.environment : fn if contains(keys(e), "COGNITO_USER_POOL_ID")]) == 1
    error_message = "only profile gets COGNITO_USER_POOL_ID"
  }
  assert {
    condition     = alltrue([for fn, e in local.environment : e["DB_IAM_AUTH"] == "true" && e["DB_SSLMODE"] == "verify-full" && e["DB_SSLROOTCERT"] == "lego_common/certs/amazon-root-ca.pem" && e["DB_PORT"] == "5432"])
    error_message = "every function uses IAM auth over TLS to the proxy"
  }
  assert {
    condition     = join(",", sort([for fn, e in local.environment : fn if contains(keys(e), "REDIS_URL")])) == "csv_parser,gallery,health,mocs,profile,upload,wishlist"
    error_message = "every function but migrate uses Redis"
  }
  assert {
    condition     = join(",", sort([for fn, e in local.environment : fn if contains(keys(e), "OPENSEARCH_URL")])) == "gallery,health,mocs,wishlist"
    error_message = "health, mocs, gallery and wishlist reach OpenSearch (migrate never calls it)"
  }
  assert {
    condition = { for fn, f in var.functions : fn => [f.memory_mb, f.timeout_s] } == {
      health  = [512, 10], mocs = [1024, 29], gallery = [2048, 29], wishlist = [1024, 29],
      profile = [1024, 29], upload = [2048, 29], csv_parser = [512, 300], migrate = [512, 420],
    }
    error_message = "seed 001 memory / timeout table (routed functions under API Gateway's 30 s; migrate waits up to 300 s for the proxy, then migrates)"
  }
  assert {
    condition     = alltrue([for key, route in local.routes : var.functions[route.function].timeout_s < 30])
    error_message = "a routed function's timeout must be under API Gateway's 30 s integration timeout, so Lambda stops it before the client's 503"
  }
  assert {
    condition     = var.functions["health"].reserved_concurrency == 5
    error_message = "seed: health reserves 5"
  }
  assert {
    condition     = output.function_names["csv_parser"] == "lego-api-csv-parser-dev" && output.function_names["mocs"] == "lego-api-mocs-dev"
    error_message = "seed naming lego-api-{function}-{stage}"
  }
  assert {
    condition     = join(",", [for fn, f in var.functions : fn if !f.alarms]) == "migrate"
    error_message = "every function but the migration runner has its alarms"
  }
}

run "routes_and_traffic_wiring" {
  command = apply

  assert {
    condition     = length(module.api.route_keys.public) + length(module.api.route_keys.protected) == length(jsondecode(file("${path.module}/../../../functions/routes.json")).routes)
    error_message = "every route of functions/routes.json is deployed"
  }
  assert {
    condition     = output.traffic.weights == { blue = 90, green = 10 } && output.traffic.set_identifiers == { blue = "blue", green = "green" }
    error_message = "the weights reach the records"
  }
  assert {
    condition     = output.traffic.record_name == "api.dev.lego-moc.example.com" && output.traffic.record_type == "CNAME" && output.traffic.zone_id == "Z00000000000000000DEV"
    error_message = "the weighted records answer for the API hostname in the given zone"
  }
  assert {
    condition     = length(aws_lambda_invocation.migrate) == 1 && length(aws_route53_zone.this) == 0
    error_message = "real envs run migrations on apply and use the existing zone"
  }
}

run "dev_has_no_provisioned_concurrency" {
  command = plan

  assert {
    condition     = alltrue([for fn, f in module.function : f.qualifier == null])
    error_message = "dev: no alias, no provisioned concurrency (seed: production only)"
  }
}

run "production_keeps_the_busy_functions_warm" {
  command = apply

  variables {
    stage                          = "production"
    enable_provisioned_concurrency = true
    deletion_protection            = true
    force_destroy                  = false
  }

  assert {
    condition     = join(",", sort([for fn, f in module.function : fn if f.qualifier == "live"])) == "gallery,health,mocs"
    error_message = "seed \"Performance Optimization\": health, mocs and gallery run on the alias live"
  }
  assert {
    condition     = { for fn in ["health", "mocs", "gallery"] : fn => var.functions[fn].provisioned_concurrency } == { health = 5, mocs = 2, gallery = 2 }
    error_message = "seed: health 5, mocs 2, gallery 2 warm instances"
  }
}

run "moto_switches_turn_parts_off" {
  command = plan

  variables {
    switches = {
      search              = false, cache = false, custom_domain = false, create_hosted_zone = true, cdn = false,
      budget              = false, cost_allocation_tag = false, performance_insights = false, parameter_groups = false, lambda_json_logging = false,
      migrations_on_apply = false,
    }
  }

  assert {
    condition     = length(module.search) == 0 && length(module.cache) == 0 && length(aws_lambda_invocation.migrate) == 0 && length(aws_route53_zone.this) == 1
    error_message = "the moto switches drop search, cache and the migrate invocation and create the zone"
  }
  assert {
    condition     = alltrue([for fn, e in local.environment : !contains(keys(e), "REDIS_URL") && !contains(keys(e), "OPENSEARCH_URL")])
    error_message = "without cache and search no function is told about them (contract: they run without)"
  }
  assert {
    condition     = length(local.schema_tags) == 0
    error_message = "without a migration run there is nothing for the functions to wait for"
  }
}

run "code_goes_live_after_its_schema" {
  command = plan

  # Issue 13 item 8. That each resource of module.function waits for the run is the graph's to
  # show: tests/test_terraform_order.py checks the edge; here, the wiring that makes it.
  assert {
    condition     = aws_lambda_invocation.migrate[0].function_name == module.migrate.function_name && !contains(keys(module.function), "migrate")
    error_message = "Terraform runs the migration runner, a module call apart from the functions that wait for it"
  }
  assert {
    condition     = local.schema_tags == { SchemaMigrations = local.builds["migrate"].source_code_hash } && aws_lambda_invocation.migrate[0].triggers.source_code_hash == local.builds["migrate"].source_code_hash
    error_message = "every other function is tagged with (so ordered after) the run of this migrate build, which a new build runs again"
  }
  assert {
    condition     = output.function_names["migrate"] == "lego-api-migrate-dev" && length(output.function_names) == length(var.functions)
    error_message = "function_names still lists every function, the migration runner included"
  }
}

run "zone_id_required_without_a_created_zone" {
  command = plan

  variables {
    dns = { api_domain_name = "api.dev.lego-moc.example.com", hosted_zone_name = "dev.lego-moc.example.com", certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/x", legacy_target = "legacy.example.com" }
  }

  expect_failures = [var.switches]
}

run "invoking_an_unknown_function_rejected" {
  command = plan

  variables {
    functions = {
      migrate = { memory_mb = 512, timeout_s = 300 }
      upload  = { memory_mb = 2048, timeout_s = 120, invokes = ["nope"] }
    }
  }

  expect_failures = [var.functions]
}

# Issue 17: pending files whose ticket expired are swept hourly by upload itself; issue 13
# item 1: mocs retries, hourly, the files a MOC delete could not remove.
run "upload_sweeps_on_a_schedule" {
  command = apply

  assert {
    condition     = keys(aws_cloudwatch_event_rule.schedule) == ["mocs", "upload"] && alltrue([for r in values(aws_cloudwatch_event_rule.schedule) : r.schedule_expression == "rate(1 hour)"])
    error_message = "only mocs and upload run on a schedule, hourly"
  }
  assert {
    condition     = aws_cloudwatch_event_target.schedule["upload"].arn == module.function["upload"].function_arn && aws_lambda_permission.schedule["upload"].principal == "events.amazonaws.com" && aws_lambda_permission.schedule["upload"].source_arn == aws_cloudwatch_event_rule.schedule["upload"].arn
    error_message = "the rule targets upload, which lets exactly that rule invoke it"
  }
}

run "malformed_schedule_rejected" {
  command = plan

  variables {
    functions = {
      migrate = { memory_mb = 512, timeout_s = 300 }
      upload  = { memory_mb = 2048, timeout_s = 30, schedule = "every hour" }
    }
  }

  expect_failures = [var.functions]
}

# Issue 20 item 4: staging and production trust the legacy pool, so blue and green accept the
# same tokens (same issuer, same app client as audience) and profile administers those users.
run "legacy_pool_trusted_by_both_colours" {
  command = apply

  variables {
    create_user_pool   = false
    existing_user_pool = { id = "us-east-1_LegacyPrd", client_id = "legacy-web-client" }
  }

  assert {
    condition     = module.auth.issuer_url == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LegacyPrd" && module.auth.client_id == "legacy-web-client" && output.user_pool_id == "us-east-1_LegacyPrd"
    error_message = "green's JWT authorizer takes the legacy pool's issuer and client id (the tokens blue accepts)"
  }
  assert {
    condition     = local.environment["profile"]["COGNITO_USER_POOL_ID"] == "us-east-1_LegacyPrd" && one(local.policy_statements["profile"]["ManageUsers"].resources) == "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_LegacyPrd"
    error_message = "profile's admin calls go to the legacy pool"
  }
}

run "pool_choice_is_explicit" {
  command = plan

  variables {
    create_user_pool = false
  }

  expect_failures = [var.existing_user_pool]
}

run "ses_email_only_for_a_created_pool" {
  command = plan

  variables {
    create_user_pool   = false
    existing_user_pool = { id = "us-east-1_LegacyPrd", client_id = "legacy-web-client" }
    user_pool_email    = { source_arn = "arn:aws:ses:us-east-1:123456789012:identity/lego-moc.example.com", from_address = "no-reply@lego-moc.example.com" }
  }

  expect_failures = [var.user_pool_email]
}

# Issue 20 item 6: each colour's health check path is an input; blue has none by default.
run "health_check_path_per_colour" {
  command = apply

  variables {
    dns = {
      api_domain_name  = "api.dev.lego-moc.example.com"
      hosted_zone_name = "dev.lego-moc.example.com"
      hosted_zone_id   = "Z00000000000000000DEV"
      certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000dev"
      legacy_target    = "legacy-api-dev.lego-moc.example.com"
      health_checks    = true
    }
  }

  assert {
    condition     = keys(module.traffic.health_check_ids) == ["green"]
    error_message = "without blue_health_path only green is checked: a missing legacy /health must not send everyone to green"
  }
}

# Issue 13 item 9: staging and production alarms must reach someone; the input, not the stage, says so.
run "alarm_subscribers_required_where_asked" {
  command = plan

  variables {
    require_alarm_subscribers = true
    monitoring                = { alarm_emails = [] }
  }

  expect_failures = [var.monitoring]
}

run "alarm_email_placeholder_refused_where_subscribers_required" {
  command = plan

  variables {
    require_alarm_subscribers = true
    monitoring                = { alarm_emails = ["oncall@example.com", "oncall-production@REPLACE-BEFORE-DEPLOY.invalid"] }
  }

  expect_failures = [var.monitoring]
}

run "alarm_emails_must_be_addresses" {
  command = plan

  variables {
    monitoring = { alarm_emails = ["oncall"] }
  }

  expect_failures = [var.monitoring]
}

run "real_alarm_subscribers_accepted" {
  command = plan

  variables {
    require_alarm_subscribers = true
    monitoring                = { alarm_emails = ["oncall@lego-moc.example.com"] }
  }

  assert {
    condition     = length(module.monitoring.topic_arns) == 2 && length(var.monitoring.alarm_emails) == 1
    error_message = "one real address satisfies the requirement"
  }
}

run "placeholders_tolerated_where_not_required" {
  command = plan

  # The moto plans of staging and production (moto.tfvars: require_alarm_subscribers = false).
  variables {
    monitoring = { alarm_emails = ["oncall-staging@REPLACE-BEFORE-DEPLOY.invalid"] }
  }

  assert {
    condition     = !var.require_alarm_subscribers
    error_message = "the requirement is off unless an env turns it on"
  }
}

run "staging_and_production_require_subscribers" {
  command = plan

  assert {
    condition     = alltrue([for env in ["staging", "production"] : can(regex("(?m)^require_alarm_subscribers\\s*=\\s*true\\s*$", file("${path.module}/../../envs/${env}/${env}.tfvars")))])
    error_message = "staging.tfvars and production.tfvars turn the requirement on"
  }
  assert {
    condition     = alltrue([for env in ["staging", "production"] : strcontains(file("${path.module}/../../envs/${env}/${env}.tfvars"), "@REPLACE-BEFORE-DEPLOY.invalid\"")])
    error_message = "their placeholder is the one the requirement refuses, so a deploy must replace it"
  }
}
