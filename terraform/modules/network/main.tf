# Private-only VPC: Lambda, RDS, Redis and OpenSearch live in private subnets, AWS APIs are
# reached through VPC endpoints (no NAT on the data path), and each security group opens only
# the one port its callers use.

data "aws_region" "current" {}

locals {
  azs = var.availability_zones

  # Who may talk to whom, and on which port: the only paths the functions use.
  ingress = {
    proxy_from_lambda      = { sg = "proxy", from = "lambda", port = 5432, description = "functions to RDS Proxy" }
    db_from_proxy          = { sg = "db", from = "proxy", port = 5432, description = "RDS Proxy to PostgreSQL" }
    redis_from_lambda      = { sg = "redis", from = "lambda", port = 6379, description = "functions to Redis (TLS)" }
    opensearch_from_lambda = { sg = "opensearch", from = "lambda", port = 443, description = "functions to OpenSearch (HTTPS)" }
    endpoints_from_lambda  = { sg = "endpoints", from = "lambda", port = 443, description = "functions to interface endpoints" }
  }
  egress = {
    lambda_to_proxy      = { sg = "lambda", to = "proxy", port = 5432, description = "functions to RDS Proxy" }
    lambda_to_redis      = { sg = "lambda", to = "redis", port = 6379, description = "functions to Redis (TLS)" }
    lambda_to_opensearch = { sg = "lambda", to = "opensearch", port = 443, description = "functions to OpenSearch (HTTPS)" }
    lambda_to_endpoints  = { sg = "lambda", to = "endpoints", port = 443, description = "functions to interface endpoints" }
    proxy_to_db          = { sg = "proxy", to = "db", port = 5432, description = "RDS Proxy to PostgreSQL" }
  }
  security_groups = {
    lambda     = "Lambda functions"
    proxy      = "RDS Proxy"
    db         = "RDS PostgreSQL"
    redis      = "ElastiCache Redis"
    opensearch = "OpenSearch domain"
    endpoints  = "Interface VPC endpoints"
  }
}

################################################################################
# VPC and private subnets
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

# Lock the default security group down: nothing should use it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-default-closed" })
}

resource "aws_subnet" "private" {
  for_each = { for index, az in local.azs : az => index }

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(var.cidr_block, 4, each.value)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-private-${each.key}", Tier = "private" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

################################################################################
# Security groups (one per tier, rules below)
################################################################################

resource "aws_security_group" "this" {
  for_each = local.security_groups

  name        = "${var.name}-${each.key}"
  description = "${each.value} of ${var.name}"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# aws_security_group_rule rather than aws_vpc_security_group_*_rule: the newer resources read
# back with an account-prefixed group id and no description in moto (perpetual drift).
resource "aws_security_group_rule" "ingress" {
  for_each = local.ingress

  type                     = "ingress"
  security_group_id        = aws_security_group.this[each.value.sg].id
  source_security_group_id = aws_security_group.this[each.value.from].id
  protocol                 = "tcp"
  from_port                = each.value.port
  to_port                  = each.value.port
  description              = each.value.description
}

resource "aws_security_group_rule" "egress" {
  for_each = local.egress

  type                     = "egress"
  security_group_id        = aws_security_group.this[each.value.sg].id
  source_security_group_id = aws_security_group.this[each.value.to].id
  protocol                 = "tcp"
  from_port                = each.value.port
  to_port                  = each.value.port
  description              = each.value.description
}

# S3 through the gateway endpoint: egress to the S3 prefix list only.
resource "aws_security_group_rule" "lambda_to_s3" {
  type              = "egress"
  security_group_id = aws_security_group.this["lambda"].id
  prefix_list_ids   = [aws_vpc_endpoint.s3.prefix_list_id]
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "functions to S3 (gateway endpoint)"
}

################################################################################
# VPC endpoints: the data path needs no NAT
################################################################################

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoint_services

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for subnet in aws_subnet.private : subnet.id]
  security_group_ids  = [aws_security_group.this["endpoints"].id]

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

################################################################################
# Flow logs
################################################################################

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/vpc/${var.name}/flow"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_iam_role" "flow" {
  name = "${var.name}-vpc-flow"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "flow" {
  name = "write-flow-logs"
  role = aws_iam_role.flow.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.flow.arn}:*"
    }]
  })
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  iam_role_arn    = aws_iam_role.flow.arn

  tags = merge(var.tags, { Name = "${var.name}-flow" })
}
