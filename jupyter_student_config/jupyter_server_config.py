"""JupyterLab as a student meets it: `make lab` (and the browser tests) add this folder to
Jupyter's configuration path (JUPYTER_CONFIG_PATH), above the virtual environment's own.

* nbgrader's instructor tools are off, as nbgrader's installation guide says to turn them off
  for students: the Formgrader's server extension here, and its lab extensions (Formgrader,
  Create Assignment) in labconfig/page_config.json, which is what
  `jupyter labextension disable @jupyter/nbgrader:formgrader` writes. The student's tools stay:
  Assignment List, Course List and Validate.
* lab_settings/overrides.json sets JupyterLab's defaults for this session: no news and no
  update check, so no pop-up asks about them on the first open. A student can still change
  them in Settings (their choices are saved in their own settings folder, not here).
* notebooks open without an unsaved mark (``course.student_lab.StudentContentsManager``).
"""

import os

c = get_config()  # noqa: F821  (Jupyter provides get_config when it loads this file)
here = os.path.dirname(os.path.abspath(__file__))

c.ServerApp.jpserver_extensions = {"nbgrader.server_extensions.formgrader": False}
c.LabApp.app_settings_dir = os.path.join(here, "lab_settings")
# A released notebook opens without an unsaved mark (course/student_lab.py says why).
c.ServerApp.contents_manager_class = "course.student_lab.StudentContentsManager"
