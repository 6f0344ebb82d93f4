"""hocso on JupyterHub: many courses, instructors and trainees on one server (docs/deploy.md)."""
