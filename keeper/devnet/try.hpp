#pragma once
// Early return of an error along a deployment's long chain of calls, each of which returns
// tl::expected with the same error type as the function using these.

// `var` is a declarator, which cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define KEEPER_TRY(var, expr) \
  auto var = (expr);          \
  if (!var) return tl::unexpected(var.error())
// NOLINTEND(bugprone-macro-parentheses)
#define KEEPER_TRY_VOID(expr) \
  if (auto ok_ = (expr); !ok_) return tl::unexpected(ok_.error())
