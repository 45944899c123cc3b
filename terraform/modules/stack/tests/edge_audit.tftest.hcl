# Issue 13 items 17-18 and issue 20 item 4 on the composition (same mocks and artefacts as
# stack.tftest.hcl): the trail and its key grant, the optional edge taking green's record, and
# the NAT path to Cognito given to Cognito callers only.

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

run "trail_records_the_files_bucket_with_the_env_key" {
  command = plan

  assert {
    condition     = length(module.trail) == 1 && local.trail_arn == "arn:aws:cloudtrail:us-east-1:123456789012:trail/lego-api-dev"
    error_message = "every env has a trail named after it by default"
  }
}

run "trail_can_be_turned_off" {
  command = plan

  variables {
    trail = { enabled = false }
  }

  assert {
    condition     = length(module.trail) == 0
    error_message = "an env may leave the trail out"
  }
}

run "no_cognito_egress_by_default" {
  command = plan

  assert {
    condition     = alltrue([for fn, groups in local.function_security_group_ids : length(groups) == 1]) && contains(module.network.interface_endpoint_services, "cognito-idp")
    error_message = "by default every function has only the shared group and Cognito goes through its endpoint"
  }
}

run "edge_off_by_default_green_is_the_api" {
  command = apply

  assert {
    condition     = length(module.edge) == 0 && local.green_target == module.api.green_target
    error_message = "without the edge the green record points at the API"
  }
}

run "edge_takes_the_green_record" {
  command = apply

  variables {
    edge = { enabled = true, certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/edge" }
  }

  assert {
    condition     = local.green_target == module.edge[0].distribution_domain_name && local.green_target == "dmock.cloudfront.net"
    error_message = "with the edge on, green's weighted record points at the distribution"
  }
  assert {
    condition     = module.edge[0].web_acl_arn != null
    error_message = "the distribution carries the web ACL"
  }
}

run "edge_needs_a_certificate" {
  command = plan

  variables {
    edge = { enabled = true }
  }

  expect_failures = [var.edge]
}

run "cognito_egress_only_for_cognito_callers" {
  command = plan

  variables {
    network = { cidr_block = "10.20.0.0/16", availability_zone_ids = ["use1-az1", "use1-az2"], cognito_via_nat = true }
  }

  assert {
    condition     = !contains(module.network.interface_endpoint_services, "cognito-idp")
    error_message = "the cognito-idp endpoint goes: a pool with a domain cannot use it"
  }
  assert {
    condition     = length(local.function_security_group_ids["profile"]) == 2 && alltrue([for fn, groups in local.function_security_group_ids : length(groups) == 1 if fn != "profile"])
    error_message = "only profile (the one function with cognito_actions) gets the group that lets 443 out through the NAT"
  }
}
