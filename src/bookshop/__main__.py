from bookshop.cli import main

raise SystemExit(main())
