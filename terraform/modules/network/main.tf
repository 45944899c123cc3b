# Private-only VPC: Lambda, RDS, Redis and OpenSearch live in private subnets, AWS APIs are
# reached through VPC endpoints (no NAT on the data path), and each security group opens only
# the one port its callers use. One exception, off by default: cognito_via_nat (below).

data "aws_region" "current" {}

locals {
  azs = var.availability_zone_ids

  # Ingress names the calling group; egress stays inside the VPC CIDR (egress by group would
  # make lambda <-> proxy <-> db dependency cycles).
  lambda_egress = { 443 = "AWS endpoints and OpenSearch (HTTPS)", 5432 = "RDS Proxy", 6379 = "Redis (TLS)" }

  # A user pool with a domain is incompatible with PrivateLink, and the endpoint's private DNS
  # would still capture every cognito-idp call: with cognito_via_nat the endpoint goes.
  interface_endpoint_services = var.cognito_via_nat ? setsubtract(var.interface_endpoint_services, ["cognito-idp"]) : var.interface_endpoint_services
  nat_az                      = local.azs[0]
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
  availability_zone_id    = each.key
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
# Security groups: one per tier, one TCP port per rule
################################################################################

# Inline rules rather than aws_security_group_rule / aws_vpc_security_group_*_rule: in moto the
# former fails with InvalidPermission.Duplicate under load and the latter read back with an
# account-prefixed group id (perpetual drift).
resource "aws_security_group" "lambda" {
  name        = "${var.name}-lambda"
  description = "Lambda functions of ${var.name}"
  vpc_id      = aws_vpc.this.id

  dynamic "egress" {
    for_each = local.lambda_egress
    content {
      description = "functions to ${egress.value}"
      protocol    = "tcp"
      from_port   = egress.key
      to_port     = egress.key
      cidr_blocks = [var.cidr_block]
    }
  }

  egress {
    description     = "functions to S3 (gateway endpoint)"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id]
  }

  tags = merge(var.tags, { Name = "${var.name}-lambda" })
}

resource "aws_security_group" "proxy" {
  name        = "${var.name}-proxy"
  description = "RDS Proxy of ${var.name}"
  vpc_id      = aws_vpc.this.id

  ingress {
    description     = "functions to RDS Proxy"
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.lambda.id]
  }

  egress {
    description = "RDS Proxy to PostgreSQL"
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = [var.cidr_block]
  }

  # The proxy reads the database secret from Secrets Manager through its own ENIs; with no NAT
  # that is the interface endpoint (issue 20, blocker 2), admitted by secrets_endpoint below.
  egress {
    description = "RDS Proxy to Secrets Manager (interface endpoint)"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [var.cidr_block]
  }

  tags = merge(var.tags, { Name = "${var.name}-proxy" })
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "RDS PostgreSQL of ${var.name}"
  vpc_id      = aws_vpc.this.id

  ingress {
    description     = "RDS Proxy to PostgreSQL"
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.proxy.id]
  }

  tags = merge(var.tags, { Name = "${var.name}-db" })
}

# Reached only by the functions: Redis 6379, OpenSearch 443, interface endpoints 443.
resource "aws_security_group" "from_lambda" {
  for_each = { redis = 6379, opensearch = 443, endpoints = 443 }

  name        = "${var.name}-${each.key}"
  description = "${each.key} of ${var.name}"
  vpc_id      = aws_vpc.this.id

  ingress {
    description     = "functions to ${each.key}"
    protocol        = "tcp"
    from_port       = each.value
    to_port         = each.value
    security_groups = [aws_security_group.lambda.id]
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# The Secrets Manager endpoint alone also admits the proxy (its secret), so the proxy reaches no
# other endpoint.
resource "aws_security_group" "secrets_endpoint" {
  name        = "${var.name}-secrets-endpoint"
  description = "Secrets Manager endpoint of ${var.name}, for RDS Proxy"
  vpc_id      = aws_vpc.this.id

  ingress {
    description     = "RDS Proxy to Secrets Manager"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    security_groups = [aws_security_group.proxy.id]
  }

  tags = merge(var.tags, { Name = "${var.name}-secrets-endpoint" })
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
  for_each = local.interface_endpoint_services

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for subnet in aws_subnet.private : subnet.id]
  security_group_ids = concat(
    [aws_security_group.from_lambda["endpoints"].id],
    each.key == "secretsmanager" ? [aws_security_group.secrets_endpoint.id] : [],
  )

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

################################################################################
# Cognito through a NAT gateway (cognito_via_nat): the legacy pool has a domain
################################################################################

# AWS: "User pools with an assigned domain are incompatible with AWS PrivateLink" (Cognito
# developer guide, "Access Amazon Cognito using an interface endpoint"), so the admin calls of
# the functions that have cognito_actions (profile) go to the public endpoint through one NAT
# gateway. Only those functions get the security group that lets 443 out of the VPC; every
# other function keeps egress to the VPC CIDR and the S3 prefix list.
resource "aws_subnet" "public" {
  count = var.cognito_via_nat ? 1 : 0

  vpc_id                  = aws_vpc.this.id
  availability_zone_id    = local.nat_az
  cidr_block              = cidrsubnet(var.cidr_block, 4, 15) # the last /4 slice; private ones count from 0
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-public-${local.nat_az}", Tier = "public" })
}

resource "aws_internet_gateway" "this" {
  count = var.cognito_via_nat ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_route_table" "public" {
  count = var.cognito_via_nat ? 1 : 0

  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this[0].id
  }

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route_table_association" "public" {
  count = var.cognito_via_nat ? 1 : 0

  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = var.cognito_via_nat ? 1 : 0

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = var.cognito_via_nat ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id

  tags = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_route" "private_to_nat" {
  count = var.cognito_via_nat ? 1 : 0

  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

resource "aws_security_group" "cognito_egress" {
  count = var.cognito_via_nat ? 1 : 0

  name        = "${var.name}-cognito-egress"
  description = "HTTPS out of the VPC (NAT) for the functions that call Cognito of ${var.name}"
  vpc_id      = aws_vpc.this.id

  egress {
    description = "functions to the public Cognito endpoint (a pool with a domain cannot use PrivateLink)"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(var.tags, { Name = "${var.name}-cognito-egress" })
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
