mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                  = "lego-api-dev"
  cidr_block            = "10.20.0.0/16"
  availability_zone_ids = ["use1-az1", "use1-az2"]
  kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "private_subnets_per_zone_and_no_public_ips" {
  command = apply

  assert {
    condition     = length(aws_subnet.private) == 2 && alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "one private subnet per zone, never a public IP"
  }
  assert {
    condition     = aws_subnet.private["use1-az1"].cidr_block == "10.20.0.0/20" && aws_subnet.private["use1-az2"].cidr_block == "10.20.16.0/20"
    error_message = "subnets are /4 slices of the VPC CIDR in zone order"
  }
  assert {
    condition     = length(output.private_subnet_ids) == 2
    error_message = "outputs list one subnet per zone"
  }
}

run "security_groups_open_only_the_used_paths" {
  command = apply

  assert {
    condition     = one(aws_security_group.db.ingress).from_port == 5432 && one(aws_security_group.db.ingress).security_groups == toset([aws_security_group.proxy.id])
    error_message = "the database accepts 5432 from the proxy only"
  }
  assert {
    condition     = one(aws_security_group.proxy.ingress).from_port == 5432 && one(aws_security_group.proxy.ingress).security_groups == toset([aws_security_group.lambda.id])
    error_message = "the proxy accepts 5432 from the functions only"
  }
  assert {
    condition     = { for k, sg in aws_security_group.from_lambda : k => [one(sg.ingress).from_port, one(sg.ingress).security_groups] } == { redis = [6379, toset([aws_security_group.lambda.id])], opensearch = [443, toset([aws_security_group.lambda.id])], endpoints = [443, toset([aws_security_group.lambda.id])] }
    error_message = "redis 6379, opensearch 443 and the endpoints 443 accept the functions only"
  }
  assert {
    condition     = alltrue([for sg in concat([aws_security_group.lambda, aws_security_group.proxy, aws_security_group.db, aws_security_group.secrets_endpoint], values(aws_security_group.from_lambda)) : alltrue([for r in concat(tolist(sg.ingress), tolist(sg.egress)) : r.protocol == "tcp" && r.from_port == r.to_port && !try(contains(r.cidr_blocks, "0.0.0.0/0"), false)])])
    error_message = "every rule is one TCP port and none opens 0.0.0.0/0"
  }
  assert {
    condition     = toset([for r in aws_security_group.lambda.egress : r.from_port]) == toset([443, 5432, 6379]) && alltrue([for r in aws_security_group.lambda.egress : try(r.cidr_blocks == tolist(["10.20.0.0/16"]), false) || try(length(r.prefix_list_ids) == 1, false)])
    error_message = "functions leave only to 443/5432/6379 inside the VPC, or to S3's prefix list"
  }
  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "the default security group is closed"
  }
}

run "endpoints_replace_nat" {
  command = apply

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.us-east-1.s3"
    error_message = "S3 through a gateway endpoint"
  }
  assert {
    condition     = contains(keys(aws_vpc_endpoint.interface), "secretsmanager") && alltrue([for e in aws_vpc_endpoint.interface : e.private_dns_enabled])
    error_message = "Secrets Manager (and the others) through interface endpoints with private DNS"
  }
  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL"
    error_message = "flow logs record all traffic"
  }
}

# Issue 20, blocker 2: RDS Proxy reads the database secret from Secrets Manager through its own
# ENIs, and without NAT only the interface endpoint answers: proxy egress 443 into the VPC, and
# a group on the secretsmanager endpoint admitting 443 from the proxy group.
run "proxy_reaches_secrets_manager" {
  command = apply

  assert {
    condition     = anytrue([for r in aws_security_group.proxy.egress : r.protocol == "tcp" && r.from_port <= 443 && r.to_port >= 443 && contains(r.cidr_blocks, var.cidr_block)])
    error_message = "the proxy may leave on 443 to the endpoint ENIs inside the VPC"
  }
  assert {
    condition = anytrue([
      for sg in concat([aws_security_group.secrets_endpoint], values(aws_security_group.from_lambda)) :
      contains(aws_vpc_endpoint.interface["secretsmanager"].security_group_ids, sg.id) && anytrue([for r in sg.ingress : r.protocol == "tcp" && r.from_port <= 443 && r.to_port >= 443 && contains(r.security_groups, aws_security_group.proxy.id)])
    ])
    error_message = "a group of the Secrets Manager endpoint admits 443 from the proxy group"
  }
  assert {
    condition     = alltrue([for name, e in aws_vpc_endpoint.interface : !contains(e.security_group_ids, aws_security_group.secrets_endpoint.id) if name != "secretsmanager"])
    error_message = "the proxy reaches only the Secrets Manager endpoint, no other"
  }
}

run "secretsmanager_endpoint_required" {
  command = plan

  variables {
    interface_endpoint_services = ["lambda", "xray"]
  }

  expect_failures = [var.interface_endpoint_services]
}

run "one_zone_rejected" {
  command = plan

  variables {
    availability_zone_ids = ["use1-az1"]
  }

  expect_failures = [var.availability_zone_ids]
}

run "bad_cidr_rejected" {
  command = plan

  variables {
    cidr_block = "10.20.0.0/33"
  }

  expect_failures = [var.cidr_block]
}

run "subnets_placed_by_zone_id" {
  command = plan

  assert {
    condition     = alltrue([for id in ["use1-az1", "use1-az2"] : aws_subnet.private[id].availability_zone_id == id]) && join(",", output.availability_zone_ids) == "use1-az1,use1-az2"
    error_message = "one private subnet per zone id, placed by availability_zone_id (names differ per account)"
  }
}

run "zone_names_rejected" {
  command = plan

  variables {
    availability_zone_ids = ["us-east-1a", "us-east-1b"]
  }

  expect_failures = [var.availability_zone_ids]
}

# Issue 20 item 4: a legacy pool with a domain cannot be reached through PrivateLink, so
# cognito_via_nat sends Cognito calls through one NAT gateway, drops the cognito-idp endpoint
# (its private DNS would still capture the calls) and opens 443 out only in a group of its own.
run "no_nat_and_a_cognito_endpoint_by_default" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_internet_gateway.this) == 0 && length(aws_subnet.public) == 0
    error_message = "by default the VPC has no way out: no NAT, no internet gateway, no public subnet"
  }
  assert {
    condition     = contains(keys(aws_vpc_endpoint.interface), "cognito-idp") && output.cognito_egress_security_group_id == null
    error_message = "Cognito through its interface endpoint, and no group opens 443 out of the VPC"
  }
}

run "cognito_via_nat_for_a_pool_with_a_domain" {
  command = apply

  variables {
    cognito_via_nat = true
  }

  assert {
    condition     = !contains(keys(aws_vpc_endpoint.interface), "cognito-idp") && contains(keys(aws_vpc_endpoint.interface), "secretsmanager")
    error_message = "the cognito-idp endpoint goes (its private DNS would capture the calls), the other endpoints stay"
  }
  assert {
    condition     = aws_route.private_to_nat[0].destination_cidr_block == "0.0.0.0/0" && aws_route.private_to_nat[0].route_table_id == aws_route_table.private.id && aws_route.private_to_nat[0].nat_gateway_id == aws_nat_gateway.this[0].id
    error_message = "the private subnets reach the public Cognito endpoint through the NAT gateway"
  }
  assert {
    condition     = aws_nat_gateway.this[0].subnet_id == aws_subnet.public[0].id && one(aws_route_table.public[0].route).gateway_id == aws_internet_gateway.this[0].id && !aws_subnet.public[0].map_public_ip_on_launch
    error_message = "the NAT gateway sits in a public subnet routed to the internet gateway"
  }
  assert {
    condition     = one(aws_security_group.cognito_egress[0].egress).from_port == 443 && one(aws_security_group.cognito_egress[0].egress).to_port == 443 && output.cognito_egress_security_group_id == aws_security_group.cognito_egress[0].id
    error_message = "only HTTPS leaves the VPC, through a group of its own (given to the functions that call Cognito)"
  }
  assert {
    condition     = alltrue([for rule in aws_security_group.lambda.egress : rule.cidr_blocks == null || !contains(coalesce(rule.cidr_blocks, []), "0.0.0.0/0")])
    error_message = "the shared functions group still keeps egress inside the VPC"
  }
  assert {
    condition     = !contains([for subnet in aws_subnet.private : subnet.cidr_block], aws_subnet.public[0].cidr_block)
    error_message = "the public subnet does not overlap a private one"
  }
}
