"""Scripts the sandbox runs with the tools venv's Python, never imported.

They use openstacksdk from that venv, so seeding is one Python process
(each ``openstack`` CLI call would cost about a second of start-up).  They
read a JSON request on stdin and print a JSON answer on stdout.
"""
