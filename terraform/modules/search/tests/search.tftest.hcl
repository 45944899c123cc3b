mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name              = "lego-api-dev"
  subnet_ids        = ["subnet-a", "subnet-b", "subnet-c"]
  security_group_id = "sg-search"
  kms_key_arn       = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  instance_type     = "t3.small.search"
  access_role_arns  = ["arn:aws:iam::123456789012:role/lego-api-mocs-dev", "arn:aws:iam::123456789012:role/lego-api-health-dev"]
}

run "encrypted_https_only_in_vpc" {
  command = apply

  assert {
    condition     = aws_opensearch_domain.this.encrypt_at_rest[0].enabled && aws_opensearch_domain.this.encrypt_at_rest[0].kms_key_id == var.kms_key_arn
    error_message = "encryption at rest with the env key"
  }
  assert {
    condition     = aws_opensearch_domain.this.node_to_node_encryption[0].enabled
    error_message = "node-to-node encryption"
  }
  assert {
    condition     = aws_opensearch_domain.this.domain_endpoint_options[0].enforce_https && aws_opensearch_domain.this.domain_endpoint_options[0].tls_security_policy == "Policy-Min-TLS-1-2-2019-07"
    error_message = "HTTPS only, TLS 1.2+"
  }
  assert {
    condition     = aws_opensearch_domain.this.vpc_options[0].subnet_ids == toset(["subnet-a"]) && !aws_opensearch_domain.this.cluster_config[0].zone_awareness_enabled
    error_message = "a single node lives in one private subnet"
  }
}

run "access_limited_to_function_roles" {
  command = apply

  assert {
    condition     = toset(jsondecode(aws_opensearch_domain_policy.this.access_policies).Statement[0].Principal.AWS) == toset(var.access_role_arns)
    error_message = "only the function roles are principals"
  }
  assert {
    condition     = alltrue([for a in jsondecode(aws_opensearch_domain_policy.this.access_policies).Statement[0].Action : startswith(a, "es:ESHttp")])
    error_message = "only HTTP data-plane actions are allowed"
  }
}

run "production_three_nodes_three_zones_with_masters" {
  command = plan

  variables {
    instance_type         = "r6g.large.search"
    instance_count        = 3
    dedicated_master_type = "r6g.large.search"
    volume_size_gb        = 100
  }

  assert {
    condition     = aws_opensearch_domain.this.cluster_config[0].zone_awareness_enabled && aws_opensearch_domain.this.cluster_config[0].zone_awareness_config[0].availability_zone_count == 3
    error_message = "3 data nodes spread over 3 zones"
  }
  assert {
    condition     = aws_opensearch_domain.this.cluster_config[0].dedicated_master_enabled && aws_opensearch_domain.this.cluster_config[0].dedicated_master_count == 3
    error_message = "3 dedicated masters in production"
  }
}

run "elasticsearch_engine_rejected" {
  command = plan

  variables {
    engine_version = "Elasticsearch_7.10"
  }

  expect_failures = [var.engine_version]
}
