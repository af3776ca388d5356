"""The recipe registry.

``RECIPES`` maps names to the four product recipes. Tests (or plugins) may ``register`` more;
the sandbox child imports a recipe by its ``ref`` ("module:Class"), so a registered recipe
must live in an importable module.
"""

from __future__ import annotations

from ..errors import NotFound
from .base import (
    Field,
    Param,
    Recipe,
    RunContext,
    suggest_mapping,
    validate_mapping,
    validate_params,
)
from .data_doctor import DataDoctor
from .demand_radar import DemandRadar
from .pipeline_lens import PipelineLens
from .segment_studio import SegmentStudio

RECIPES: dict[str, Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    """Add a recipe to the registry (replacing one with the same name)."""
    RECIPES[recipe.name] = recipe
    return recipe


def get_recipe(name: str | Recipe) -> Recipe:
    """Look a recipe up by name; raise ``NotFound`` with the valid names otherwise."""
    if isinstance(name, Recipe):
        return name
    try:
        return RECIPES[name]
    except (KeyError, TypeError):
        raise NotFound(
            f"There is no demo called '{name}'. Choose one of: {', '.join(RECIPES)}."
        ) from None


for _recipe in (PipelineLens(), DataDoctor(), DemandRadar(), SegmentStudio()):
    register(_recipe)

__all__ = [
    "RECIPES",
    "Field",
    "Param",
    "Recipe",
    "RunContext",
    "get_recipe",
    "register",
    "suggest_mapping",
    "validate_mapping",
    "validate_params",
]
