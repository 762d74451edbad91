"""Delivery routing on PyVRP, a state-of-the-art vehicle routing solver.

From the warehouse (or files in its format) to routes: delivery orders with size, time
window and service time, several depots, a heterogeneous fleet (capacity, fixed cost, cost
per km and per hour, shifts, maximum route duration), pickups as well as deliveries, and
optional orders the plan may drop for a penalty. Standard instances (VRPLIB ``.vrp``,
Solomon ``.txt``) are read with their rounding conventions so that results compare with
best-known solutions.

Modules, by role:

``problem``
    The model: :class:`Depot`, :class:`Order`, :class:`VehicleType`, :class:`Scaling`,
    :class:`RoutingProblem` (frozen, validated).
``travel``
    Haversine x road factor at a speed, Euclidean, or a matrix file.
``profile``
    Peak-hour delays from delivery history, applied as window buffers.
``fleet``, ``build``
    Vehicles file and default fleet; problem from tables or the warehouse.
``instances``
    VRPLIB and Solomon readers, ``.sol`` files.
``feasibility``
    Orders no vehicle can serve, named before solving.
``model``, ``solve``
    PyVRP's data through its ``Model`` API; :func:`solve` and :func:`evaluate`.
``solution``, ``output``
    :class:`RoutePlan` with stops and KPIs; JSON and CSV.
``plot``, ``report``
    The route map and the report section (import them directly; they load matplotlib).
"""

from supplymind.routing.build import planned_orders, problem_from_tables, problem_from_warehouse
from supplymind.routing.feasibility import check_feasible, infeasible_orders
from supplymind.routing.fleet import FleetDefaults, default_fleet, vehicle_types_from_frame
from supplymind.routing.instances import read_instance, read_solution
from supplymind.routing.output import kpi_table, plan_to_dict, plan_to_frame, write_plan
from supplymind.routing.problem import Depot, Order, RoutingProblem, Scaling, VehicleType
from supplymind.routing.profile import PeakHourProfile, estimate_peak_profile
from supplymind.routing.solution import Kpis, Route, RoutePlan, SolverInfo, Stop
from supplymind.routing.solve import evaluate, solve
from supplymind.routing.travel import TravelMatrix, TravelSettings, geographic_matrix, read_matrix

__all__ = [
    "Depot",
    "FleetDefaults",
    "Kpis",
    "Order",
    "PeakHourProfile",
    "Route",
    "RoutePlan",
    "RoutingProblem",
    "Scaling",
    "SolverInfo",
    "Stop",
    "TravelMatrix",
    "TravelSettings",
    "VehicleType",
    "check_feasible",
    "default_fleet",
    "estimate_peak_profile",
    "evaluate",
    "geographic_matrix",
    "infeasible_orders",
    "kpi_table",
    "plan_to_dict",
    "plan_to_frame",
    "planned_orders",
    "problem_from_tables",
    "problem_from_warehouse",
    "read_instance",
    "read_matrix",
    "read_solution",
    "solve",
    "vehicle_types_from_frame",
    "write_plan",
]
