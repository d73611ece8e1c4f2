"""Running the course: filling, submitting, grading and reporting on students' notebooks."""
