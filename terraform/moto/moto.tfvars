# Passed after <env>.tfvars by scripts/tf-check.sh for the apply/plan against a local moto server.
# Each attribute turns off one thing moto cannot create or read back; terraform/README.md
# ("moto switches") says what covers it instead. Real envs never use this file.
switches = {
  search               = false # OpenSearch: the provider waits ~10 min for the domain (+1 for its policy)
  cache                = false # ElastiCache: the provider reads member cache clusters back; moto does not register them
  custom_domain        = false # API Gateway v2 custom domain never reaches AVAILABLE in moto
  create_hosted_zone   = true  # moto picks hosted-zone ids itself, so a zone passed by id cannot exist
  cdn                  = false # CloudFront OAC and cache behaviours do not read back (perpetual drift)
  budget               = false # Budgets DescribeSubscribersForNotification is not implemented
  cost_allocation_tag  = false # Cost Explorer UpdateCostAllocationTagsStatus is not implemented
  performance_insights = false # Performance Insights does not read back (drift)
  parameter_groups     = false # RDS/ElastiCache parameter-group values do not read back (drift)
  lambda_json_logging  = false # Lambda logging_config does not read back (drift)
  migrations_on_apply  = false # aws_lambda_invocation needs Docker to run code in moto
}

# Staging and production keep their alarm-email placeholders until a deploy fills them in; these
# plans page nobody. modules/stack/tests cover the requirement.
require_alarm_subscribers = false
