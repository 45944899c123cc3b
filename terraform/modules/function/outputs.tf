output "function_name" {
  description = "Function name."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway integrations invoke: the alias \"live\" with provisioned concurrency, else the function."
  value       = local.provisioned ? aws_lambda_alias.live[0].invoke_arn : aws_lambda_function.this.invoke_arn
}

output "qualifier" {
  description = "Alias callers invoke (\"live\") when provisioned concurrency is on, else null (the unqualified function)."
  value       = local.provisioned ? aws_lambda_alias.live[0].name : null
}

output "role_arn" {
  description = "ARN of the function's own role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue, or null when it is off."
  value       = var.enable_dead_letter_queue ? aws_sqs_queue.dead_letter[0].arn : null
}
