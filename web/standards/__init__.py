"""The standards system's pages: the committees of 诊改 (committees) and the basic standards (basic)."""
