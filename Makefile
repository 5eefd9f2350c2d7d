.PHONY: run test
run:  ## set up, create the SQLite database with demo data, serve http://127.0.0.1:5000
	bash scripts/run.sh
test:  ## set up and run the whole test suite (SQLite, then PostgreSQL when it answers)
	bash scripts/test.sh
