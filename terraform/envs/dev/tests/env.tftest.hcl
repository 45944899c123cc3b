# Env composition (identical in every env), run by scripts/tf-check.sh:
#   terraform -chdir=terraform/envs/<env> test \
#     -var-file=<env>.tfvars -var-file=traffic.auto.tfvars.json -var artifacts_dir=<dir>
# Least privilege per function (seed 001 "Lambda IAM Roles"), contract env vars, seed sizes,
# route table and traffic wiring.

mock_provider "aws" {
  source = "../../tests/mocks"
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
    condition     = local.policy_statements["mocs"]["UseObjects"].actions == ["s3:DeleteObject"] && alltrue([for r in local.policy_statements["mocs"]["UseObjects"].resources : endswith(r, "/mocs/*")])
    error_message = "mocs only deletes files under mocs/"
  }
  assert {
    condition     = local.policy_statements["csv_parser"]["UseObjects"].actions == ["s3:GetObject"] && alltrue([for r in local.policy_statements["csv_parser"]["UseObjects"].resources : endswith(r, "/mocs/*")])
    error_message = "csv_parser only reads files under mocs/"
  }
  assert {
    condition     = alltrue([for r in local.policy_statements["gallery"]["UseObjects"].resources : endswith(r, "/images/*")]) && alltrue([for r in local.policy_statements["wishlist"]["UseObjects"].resources : endswith(r, "/wishlist/*")]) && alltrue([for r in local.policy_statements["profile"]["UseObjects"].resources : endswith(r, "/avatars/*")])
    error_message = "gallery, wishlist and profile each stay in their own prefix"
  }
  assert {
    condition     = local.policy_statements["profile"]["ManageUsers"].actions == ["cognito-idp:AdminGetUser", "cognito-idp:AdminUpdateUserAttributes"] && length([for fn, s in local.policy_statements : fn if contains(keys(s), "ManageUsers")]) == 1
    error_message = "only profile calls Cognito, with the two seed actions"
  }
  assert {
    condition     = local.policy_statements["upload"]["InvokeCsvParser"].resources == [local.csv_parser_arn] && endswith(local.csv_parser_arn, ":function:lego-api-csv-parser-${var.stage}") && length([for fn, s in local.policy_statements : fn if contains(keys(s), "InvokeCsvParser")]) == 1
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
}

run "contract_environment_and_seed_sizes" {
  command = apply

  assert {
    condition     = local.environment["upload"]["CSV_PARSER_FUNCTION_NAME"] == "lego-api-csv-parser-${var.stage}" && length([for fn, e in local.environment : fn if contains(keys(e), "CSV_PARSER_FUNCTION_NAME")]) == 1
    error_message = "only upload knows the csv_parser function name"
  }
  assert {
    condition     = local.environment["profile"]["COGNITO_USER_POOL_ID"] == "us-east-1_Mock" && length([for fn, e in local.environment : fn if contains(keys(e), "COGNITO_USER_POOL_ID")]) == 1
    error_message = "only profile gets COGNITO_USER_POOL_ID"
  }
  assert {
    condition     = alltrue([for fn, e in local.environment : e["DB_IAM_AUTH"] == "true" && e["DB_SSLMODE"] == "require" && e["DB_PORT"] == "5432"])
    error_message = "every function uses IAM auth over TLS to the proxy"
  }
  assert {
    condition = { for fn, f in var.functions : fn => [f.memory_mb, f.timeout_s] } == {
      health  = [512, 10], mocs = [1024, 30], gallery = [2048, 60], wishlist = [1024, 30],
      profile = [1024, 30], upload = [2048, 120], csv_parser = [512, 300], migrate = [512, 300],
    }
    error_message = "seed 001 memory / timeout table"
  }
  assert {
    condition     = var.functions["health"].reserved_concurrency == 5
    error_message = "seed: health reserves 5"
  }
  assert {
    condition     = output.function_names["csv_parser"] == "lego-api-csv-parser-${var.stage}" && output.function_names["mocs"] == "lego-api-mocs-${var.stage}"
    error_message = "seed naming lego-api-{function}-{stage}"
  }
}

run "routes_and_traffic_wiring" {
  command = apply

  assert {
    condition     = length(module.api.route_keys.public) + length(module.api.route_keys.protected) == length(jsondecode(file("${path.root}/../../../functions/routes.json")).routes)
    error_message = "every route of functions/routes.json is deployed"
  }
  assert {
    condition     = output.traffic.weights == { blue = var.blue_weight, green = var.green_weight } && output.traffic.set_identifiers == { blue = "blue", green = "green" }
    error_message = "the weights of traffic.auto.tfvars.json reach the records"
  }
  assert {
    condition     = output.traffic.record_name == var.api_domain_name && output.traffic.record_type == "CNAME"
    error_message = "the weighted records answer for the API hostname"
  }
  assert {
    condition     = length(aws_lambda_invocation.migrate) == (var.run_migrations_on_apply ? 1 : 0)
    error_message = "migrations run on apply unless switched off"
  }
}
