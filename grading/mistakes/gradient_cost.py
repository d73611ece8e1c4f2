"""Catalogued mistakes of the explorations notebook's third experiment: counting a network's
parameters, and what a gradient costs in forward passes by backpropagation and by finite
differences."""

from __future__ import annotations

from grading.mistakes.catalogue import mistake


@mistake("explorations.parameter_count", "weights_only",
         "parameter_count counts the weights but not the biases",
         "Each layer has n_out biases besides its n_in * n_out weights: add them for every "
         "layer.")
def count_weights_only(layer_sizes):
    return sum(layer_sizes[k] * layer_sizes[k + 1] for k in range(len(layer_sizes) - 1))


@mistake("explorations.gradient_cost_ratio", "backward_only",
         "gradient_cost_ratio counts only the backward pass for backprop",
         "Backpropagation runs the forward pass first (to get every Z and A), then the backward "
         "pass: its cost is 1 + backward_cost forward passes.")
def cost_ratio_backward_only(n_params, centered=True, backward_cost=2.0):
    numerical = 2 * n_params if centered else n_params + 1
    return numerical / backward_cost


@mistake("explorations.gradient_cost_ratio", "swapped_differences",
         "gradient_cost_ratio swaps centered and one-sided differences",
         "Centered differences evaluate f(x + eps) and f(x - eps) for every parameter (2 P "
         "forward passes); one-sided ones f(x + eps) for every parameter and f(x) once (P + 1).")
def cost_ratio_swapped(n_params, centered=True, backward_cost=2.0):
    numerical = n_params + 1 if centered else 2 * n_params
    return numerical / (1 + backward_cost)


@mistake("explorations.gradient_cost_ratio", "no_base_point",
         "gradient_cost_ratio forgets the un-nudged forward pass of one-sided differences",
         "(f(x + eps) - f(x)) / eps needs f(x) too: one forward pass at the un-nudged "
         "parameters, shared by all P derivatives, so P + 1 in all.")
def cost_ratio_no_base_point(n_params, centered=True, backward_cost=2.0):
    numerical = 2 * n_params if centered else n_params
    return numerical / (1 + backward_cost)


@mistake("explorations.gradient_cost_ratio", "inverted",
         "gradient_cost_ratio divides backprop's cost by the finite differences' cost",
         "The ratio says how many times more work finite differences cost: their count of "
         "forward passes divided by backprop's (a large number).")
def cost_ratio_inverted(n_params, centered=True, backward_cost=2.0):
    numerical = 2 * n_params if centered else n_params + 1
    return (1 + backward_cost) / numerical


@mistake("explorations.gradient_cost_ratio", "floor_division",
         "gradient_cost_ratio rounds the ratio down with //",
         "The ratio is rarely a whole number (2 P / 3 for the course's count): divide with /.")
def cost_ratio_floor_division(n_params, centered=True, backward_cost=2.0):
    numerical = 2 * n_params if centered else n_params + 1
    return numerical // (1 + backward_cost)
